import { assertKenCovers, CURRENCY_DECIMALS, parseScaledDecimal, StsError } from '@sts/core';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import type { SupplyGroupState } from '../../supply-groups/supply-group.entity';
import type { VendingKeyState, VendingKeyType } from '../../vending-keys/vending-key.entity';

/** What the rules need to know about a vending key (a subset of the registry row). */
export interface KeyForRules {
  readonly id: string;
  readonly sgc: string;
  readonly krn: number;
  readonly keyType: VendingKeyType;
  readonly allowedEas: readonly string[];
  readonly baseDate: number;
  readonly ken: number;
  readonly state: VendingKeyState;
  readonly activateAt: string | null;
  readonly issueUntil: string | null;
  readonly expiresAt: string | null;
  /** When set, the key counts as superseded from that time on, whether or not the sweep ran. */
  readonly supersedeAt: string | null;
}

/** What a request uses a key for. */
export type KeyPurpose =
  /** Credit or management tokens (they carry a TID), or a derived key for the client to vend with. */
  | 'vend'
  /** The current key of a key-change set: it encrypts the sections (no TID). */
  | 'key-change-from'
  /** The new key of a key-change set: the meter will vend on it from now on. */
  | 'key-change-to';

function keyRef(key: KeyForRules): Record<string, unknown> {
  return { sgc: key.sgc, krn: key.krn, vendingKeyId: key.id };
}

/** Later than every time the service works with: an unset time is never reached. */
const NEVER = '9999-12-31T23:59:59.999Z';

/** `now` is at or after the time `at` (both ISO-8601 UTC, so they compare as text). */
function reached(now: string, at: string | null): boolean {
  return now >= (at ?? NEVER);
}

/**
 * The key's state at `now` (ISO-8601 UTC): an active key whose scheduled supersession is due is
 * superseded, even before the scheduler's sweep has written that state (it runs every
 * STS_SCHEDULER_SECONDS), so the old revision stops issuing at the time its successor starts.
 */
export function effectiveKeyState(
  key: Pick<KeyForRules, 'state' | 'supersedeAt'>,
  now: string,
): VendingKeyState {
  return key.state === 'active' && reached(now, key.supersedeAt) ? 'superseded' : key.state;
}

/** The states in which a key may serve `purpose`; a superseded key vends only up to its issue-until. */
function statesFor(key: KeyForRules, purpose: KeyPurpose): readonly VendingKeyState[] {
  if (purpose === 'key-change-from') return ['active', 'superseded'];
  if (purpose === 'vend' && key.issueUntil !== null) return ['active', 'superseded'];
  return ['active'];
}

/**
 * The vending key's state and times allow `purpose` at `now` (ISO-8601 UTC). Vending and the new
 * key of a key change need an active key inside its activation / issue-until / expiry window. A
 * superseded revision with an issue-until keeps vending until then, beside its successor, so
 * meters can be moved with their next purchases; one without an issue-until stops at
 * supersession. The current key of a key change may also be superseded (that is how meters leave
 * an old revision), but not suspended, expired or destroyed. A due scheduled supersession counts
 * as superseded ({@link effectiveKeyState}).
 */
export function assertKeyUsable(key: KeyForRules, purpose: KeyPurpose, now: string): void {
  const states = statesFor(key, purpose);
  const state = effectiveKeyState(key, now);
  if (!states.includes(state)) {
    const scheduled = state !== key.state;
    throw new DomainError(
      ErrorCode.STS_KEY_NOT_ACTIVE,
      `Vending key SGC ${key.sgc} KRN ${key.krn} is ${state}${scheduled ? ` since ${key.supersedeAt}` : ''}`,
      { ...keyRef(key), state, ...(scheduled ? { supersedeAt: key.supersedeAt } : {}) },
    );
  }
  if (reached(now, key.expiresAt)) {
    throw new DomainError(
      ErrorCode.STS_KEY_NOT_ACTIVE,
      `Vending key SGC ${key.sgc} KRN ${key.krn} expired at ${key.expiresAt}`,
      { ...keyRef(key), expiresAt: key.expiresAt },
    );
  }
  if (key.activateAt !== null && !reached(now, key.activateAt)) {
    throw new DomainError(
      ErrorCode.STS_KEY_NOT_YET_ACTIVE,
      `Vending key SGC ${key.sgc} KRN ${key.krn} is usable from ${key.activateAt}`,
      { ...keyRef(key), activateAt: key.activateAt },
    );
  }
  // Issue-until ends issuing under a key; a key-change set that moves meters off it stays allowed.
  if (purpose !== 'key-change-from' && reached(now, key.issueUntil)) {
    throw new DomainError(
      ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
      `Vending key SGC ${key.sgc} KRN ${key.krn} issued until ${key.issueUntil}`,
      { ...keyRef(key), issueUntil: key.issueUntil },
    );
  }
  if (purpose !== 'key-change-from' && key.keyType === 'VDDK') {
    throw new DomainError(
      ErrorCode.STS_VDDK_KEY_CHANGE_ONLY,
      purpose === 'vend'
        ? 'A VDDK only makes key-change tokens that move a meter to a VUDK or VCDK key'
        : 'A key change cannot move a meter to a default key (VDDK)',
      { ...keyRef(key), keyType: key.keyType },
    );
  }
}

/**
 * The key's supply group is active: a suspended (or retired) group issues nothing, neither tokens
 * nor derived keys nor key-change sets from or to its keys, until it is active again.
 */
export function assertSupplyGroupActive(sgc: string, state: SupplyGroupState, field: string): void {
  if (state !== 'active') {
    throw new DomainError(
      ErrorCode.STS_SUPPLY_GROUP_NOT_ACTIVE,
      `Supply group ${sgc} is ${state}: it issues nothing until it is active again`,
      { field, sgc, state },
    );
  }
}

/** The request's EA is one the key allows. */
export function assertEaAllowed(key: KeyForRules, ea: string, field: string): void {
  if (!key.allowedEas.includes(ea)) {
    throw new DomainError(
      ErrorCode.STS_EA_NOT_ALLOWED,
      `EA${ea} is not allowed for vending key SGC ${key.sgc} KRN ${key.krn} (allowed: ${key.allowedEas.join(', ')})`,
      { ...keyRef(key), field, allowedEas: key.allowedEas },
    );
  }
}

/** STS key types (KT) of the vending key types (STS-SPEC §13). */
export const KT_OF: Readonly<Record<VendingKeyType, 1 | 2 | 3>> = { VDDK: 1, VUDK: 2, VCDK: 3 };

/**
 * The key parameters a client states about the meter (optional KT and base date) match the
 * registry's key: a mismatch means the client's meter record is wrong, and a token made anyway
 * would be refused by the meter.
 */
export function assertKeyParameters(
  key: KeyForRules,
  stated: { readonly keyType?: number; readonly baseDate?: number },
  prefix: string,
): void {
  if (stated.keyType !== undefined && stated.keyType !== KT_OF[key.keyType]) {
    throw new DomainError(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
      `${prefix}.keyType: KT ${stated.keyType} does not match vending key SGC ${key.sgc} KRN ${key.krn} (${key.keyType}, KT ${KT_OF[key.keyType]})`,
      { ...keyRef(key), field: `${prefix}.keyType`, expected: KT_OF[key.keyType] },
    );
  }
  if (stated.baseDate !== undefined && stated.baseDate !== key.baseDate) {
    throw new DomainError(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
      `${prefix}.baseDate: ${stated.baseDate} does not match vending key SGC ${key.sgc} KRN ${key.krn} (base date ${key.baseDate})`,
      { ...keyRef(key), field: `${prefix}.baseDate`, expected: key.baseDate },
    );
  }
}

/** The client may issue this class / subclass. */
export function assertSubclassAllowed(
  allowed: readonly number[],
  kind: 'credit' | 'management' | 'test',
  subclass: number,
): void {
  if (!allowed.includes(subclass)) {
    throw new DomainError(
      ErrorCode.STS_SUBCLASS_NOT_ALLOWED,
      `Your client profile does not allow ${kind} subclass ${subclass}`,
      { field: 'subclass', kind, subclass, allowed },
    );
  }
}

/**
 * The credit a token carries (the encoded amount, after rounding) does not exceed the client's
 * per-token limit (units for subclasses 0..3, currency for 4..7; `null` means no limit). Compared
 * exactly, in scaled integers.
 */
export function assertAmountWithinLimit(
  subclass: number,
  amount: string,
  limits: { readonly maxUnitAmount: string | null; readonly maxCurrencyAmount: string | null },
): void {
  const currency = subclass >= 4;
  const limit = currency ? limits.maxCurrencyAmount : limits.maxUnitAmount;
  if (limit === null) return;
  const decimals = currency ? CURRENCY_DECIMALS : 1;
  if (
    parseScaledDecimal('amount', amount, decimals) > parseScaledDecimal('limit', limit, decimals)
  ) {
    throw new DomainError(
      ErrorCode.STS_AMOUNT_LIMIT_EXCEEDED,
      `amount: ${amount} (as encoded) exceeds your per-token ${currency ? 'currency' : 'unit'} limit of ${limit}`,
      { field: 'amount', limit },
    );
  }
}

/** KEN covers the TID (STS-SPEC §6): the meter would refuse the token as key-expired otherwise. */
export function assertKenCoversTid(key: KeyForRules, tid: number): void {
  try {
    assertKenCovers(tid, key.ken);
  } catch (error) {
    if (error instanceof StsError && error.code === 'KEY_EXPIRED') {
      throw new DomainError(ErrorCode.STS_KEY_EXPIRED, error.message, {
        ...keyRef(key),
        tid,
        ken: key.ken,
      });
    }
    throw error;
  }
}

/** A key change may not cross clusters (STS-SPEC §13); SGC moves need both groups in one cluster. */
export function assertSameCluster(
  from: { readonly sgc: string; readonly cluster: string | null },
  to: { readonly sgc: string; readonly cluster: string | null },
): void {
  if (from.sgc === to.sgc) return;
  // Not in a cluster, or not in the same one (a group without a cluster is in none).
  if (from.cluster === null || from.cluster !== to.cluster) {
    throw new DomainError(
      ErrorCode.STS_CROSS_CLUSTER,
      `A key change from SGC ${from.sgc} to SGC ${to.sgc} crosses clusters (${from.cluster ?? 'none'} -> ${to.cluster ?? 'none'})`,
      { field: 'target.sgc', fromCluster: from.cluster, toCluster: to.cluster },
    );
  }
}
