import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditInput } from '../../audit/audit.service';
import type { AuthenticatedPrincipal } from '../../auth/authenticated-principal';
import type { VendingKey } from '../../vending-keys/vending-key.entity';
import type {
  IssuedTokenDto,
  TokenIssuanceDto,
  VendingKeyRefDto,
} from '../dto/vending-response.dto';
import type { IssuedRecord, LiveKey } from './issuance-sql';
import type { IssuanceKind } from './issuance.entity';
import { assertKenCoversTid, KT_OF } from '../rules/sts-rules';
import type { MeterRef } from '../tid-allocation/tid-allocator';

/** A TID a token needs: the next one for the meter under `key`, at or after the TID of `at`. */
export interface TidNeed {
  readonly nowTid: (at: string) => number;
}

/**
 * One token of an issuance (or a set built together), built once its TID is known. `build` is a
 * pure function of the TID; what it encrypts with was made before the plan (a cipher holding the
 * derived key).
 */
export interface TokenSpec {
  /** The vending key the token is made under; its TID row (with the plan's meter) is this key's. */
  readonly key: VendingKey | null;
  /** Present when the token carries a TID. */
  readonly tid?: TidNeed;
  readonly build: (tid: number | null) => readonly IssuedTokenDto[];
  /**
   * When set, the spec's tokens have an audit event of their own (a key-change set that rides
   * with a purchase); the issuance's event covers the other specs' tokens.
   */
  readonly event?: { readonly action: string; readonly details: Record<string, unknown> };
}

/** The key a plan was decided on, to be judged again against the row the batch reads. */
export interface KeyCheck {
  readonly used: VendingKey;
  readonly check: (row: LiveKey | undefined) => void;
}

/**
 * An issuance as data: who asks, for which meter, under which key, and the tokens to build once
 * TIDs are allocated. The pipeline executes plans; nothing here touches the database but
 * `before`.
 */
export interface IssuancePlan {
  /** The issuance id, when the plan's own writes name it (otherwise made at assembly). */
  readonly id?: string;
  readonly client: AuthenticatedPrincipal;
  readonly kind: IssuanceKind;
  readonly idempotencyKey: string | undefined;
  /** The request's fingerprint (idempotency). */
  readonly fingerprint: string;
  readonly requestId: string;
  readonly meter: MeterRef;
  /** The key the answer names (absent for a test token). */
  readonly vendingKey: VendingKey | null;
  readonly keyCheck?: KeyCheck;
  /** The TID row the plan locks (vending key, meter), for the batch's lock order; '' for none. */
  readonly lockKey: string;
  readonly tokens: readonly TokenSpec[];
  /**
   * Writes inside the issuing transaction before the TIDs are allocated (a key change carries the
   * meter's TIDs over to the new key and moves the meter's registry row).
   */
  readonly before?: (em: EntityManager, at: string) => Promise<void>;
  readonly keyChange?: TokenIssuanceDto['keyChange'];
  /** The key change the meter should receive, when the tokens were made under a superseded key. */
  readonly keyChangeDue?: TokenIssuanceDto['keyChangeDue'];
  /** The kind's own audit details. */
  readonly audit: Record<string, unknown>;
  /** Zeroes what the token builders hold (a cipher), whatever the outcome. */
  readonly dispose?: () => void;
}

/** What an executed plan comes to: the answer, its record and its audit event. */
export interface Assembled {
  readonly body: TokenIssuanceDto;
  readonly record: IssuedRecord;
  /** The events in entry order of their tokens: one per spec with its own, then the issuance's. */
  readonly audits: readonly AuditInput[];
}

/** The TID row key a plan locks: `vendingKeyId|iin|drn`. */
export function tidLockKey(vendingKeyId: string, m: MeterRef): string {
  return `${vendingKeyId}|${m.iin}|${m.drn}`;
}

export function keyRef(k: VendingKey): VendingKeyRefDto {
  return {
    id: k.id,
    sgc: k.sgc,
    krn: k.krn,
    type: k.keyType,
    keyType: KT_OF[k.keyType],
    dkga: k.dkga,
    baseDate: k.baseDate,
    ken: k.ken,
    kcv: k.kcv ?? '',
  };
}

/**
 * The one assembly of an issuance: each spec's tokens built with its TID (`tids[i]` for
 * `plan.tokens[i]`, null without one; the key's KEN must cover it), then the answer, the record
 * and the audit event.
 */
export function assembleIssuance(
  plan: IssuancePlan,
  tids: readonly (number | null)[],
  issuedAt: string,
): Assembled {
  const built = plan.tokens.map((spec, i) => {
    const tid = tids[i] ?? null;
    if (spec.tid && tid === null) throw new Error('token built without its TID');
    if (tid !== null && spec.key) assertKenCoversTid(spec.key, tid);
    return spec.build(tid);
  });
  const tokens = built.flat();
  const id = plan.id ?? randomUUID();
  const issuedTids = tokens.flatMap((t) => (t.tid === null ? [] : [t.tid]));
  const k = plan.vendingKey;
  const m = plan.meter;
  const body: TokenIssuanceDto = {
    issuanceId: id,
    kind: plan.kind,
    issuedAt,
    meter: { iin: m.iin, drn: m.drn },
    tokens,
    tids: issuedTids,
    vendingKeyKcv: k ? (k.kcv ?? '') : null,
    vendingKey: k ? keyRef(k) : null,
    ...(plan.keyChange ? { keyChange: plan.keyChange } : {}),
    ...(plan.keyChangeDue ? { keyChangeDue: plan.keyChangeDue } : {}),
  };
  const row = {
    id,
    clientId: plan.client.id,
    kind: plan.kind,
    iin: m.iin,
    drn: m.drn,
    sgc: k?.sgc ?? null,
    krn: k?.krn ?? null,
    vendingKeyId: k?.id ?? null,
    idempotencyKey: plan.idempotencyKey ?? null,
    requestHash: plan.fingerprint,
    response: JSON.stringify(body),
    requestId: plan.requestId,
    createdAt: issuedAt,
  };
  const tidsOf = (list: readonly IssuedTokenDto[]) =>
    list.flatMap((t) => (t.tid === null ? [] : [t.tid]));
  const own = plan.tokens.flatMap((spec, i) => {
    const event = spec.event;
    if (!event) return [];
    const key = spec.key;
    const audit: AuditInput = {
      actor: plan.client,
      action: event.action,
      subjectType: 'issuance',
      subjectId: id,
      details: {
        iin: m.iin,
        drn: m.drn,
        sgc: key?.sgc ?? null,
        krn: key?.krn ?? null,
        tids: tidsOf(built[i]),
        tokens: built[i].length,
        vendingKeyKcv: key?.kcv ?? null,
        ...event.details,
      },
    };
    return [audit];
  });
  const rest = built.filter((_, i) => !plan.tokens[i].event).flat();
  const audit: AuditInput = {
    actor: plan.client,
    action: `vending.token.${plan.kind}`,
    subjectType: 'issuance',
    subjectId: id,
    details: {
      iin: m.iin,
      drn: m.drn,
      sgc: k?.sgc ?? null,
      krn: k?.krn ?? null,
      tids: tidsOf(rest),
      tokens: rest.length,
      vendingKeyKcv: k?.kcv ?? null,
      ...plan.audit,
    },
  };
  return { body, record: { row, tids: issuedTids }, audits: [...own, audit] };
}
