import {
  type InventoryEntry,
  type KeyAlgorithm,
  type KeyUsage,
  kcvEquals,
  shapeProblems,
} from '@sts/hsm';

/** What kind of database row names a token key. */
export type KeyReferenceKind = 'vending-key' | 'kek' | 'transport-key' | 'audit-key';

/**
 * A token key the database names: where, in which state, and what the token must hold under its
 * label. `required`: the row's state means the service uses the key (a missing key is a failure);
 * otherwise the label is only known (its presence is not unexpected, its absence not a failure).
 */
export interface KeyReference {
  readonly kind: KeyReferenceKind;
  readonly id: string;
  readonly label: string;
  readonly state: string;
  readonly required: boolean;
  readonly algorithm: KeyAlgorithm;
  readonly usage: KeyUsage;
  readonly lengthBytes: number;
  /** The check value recorded in the database (6 hex digits); absent for the audit key. */
  readonly kcv?: string;
  /**
   * The audit key: whether the newest signed checkpoint in the database verifies under the
   * token's key (the database records no check value for it). Absent: no checkpoint yet.
   */
  readonly checkpoint?: { readonly seq: number; readonly valid: boolean };
  /** Vending keys: SGC and KRN, for the operator's report. */
  readonly sgc?: string;
  readonly krn?: number;
}

/** Why a referenced key fails the check. */
export type KeyFailure = 'MISSING' | 'CHECK_VALUE_MISMATCH' | 'ATTRIBUTE_MISMATCH';

/** The result for one referenced key. */
export interface KeyVerification {
  readonly kind: KeyReferenceKind;
  readonly id: string;
  readonly label: string;
  readonly state: string;
  readonly sgc?: string;
  readonly krn?: number;
  readonly ok: boolean;
  readonly failure?: KeyFailure;
  /** One line per problem, for the report (never key material). */
  readonly problems: readonly string[];
}

/** A key in the token that no live database row accounts for. */
export interface UnexpectedKey {
  readonly label: string;
  readonly algorithm: KeyAlgorithm;
  readonly usage: KeyUsage;
  readonly kcv: string;
  /** 'unknown': no row names it; 'destroyed': its row says it was destroyed or abandoned. */
  readonly reason: 'unknown' | 'destroyed';
}

/** The whole check, as `verify-custody` prints it and `/api/v1/custody/verification` returns it. */
export interface CustodyReport {
  /** Every required key verified and nothing unexpected in the token. */
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly token: string;
  readonly keys: readonly KeyVerification[];
  readonly unexpected: readonly UnexpectedKey[];
  readonly summary: {
    readonly referenced: number;
    readonly verified: number;
    readonly failed: number;
    readonly unexpected: number;
  };
}

/** Row states after which the token no longer holds the key. */
const GONE_STATES = new Set(['destroyed', 'failed']);

/**
 * Compares the keys the database references with the token's inventory: each required key must
 * be present with the recorded check value, algorithm, usage, length and the attributes the port
 * gives such a key; keys in the token that no row accounts for are listed.
 */
export function verifyCustody(
  references: readonly KeyReference[],
  inventory: readonly InventoryEntry[],
  context: { readonly checkedAt: string; readonly token: string },
): CustodyReport {
  const inToken = new Map(inventory.map((e) => [e.label, e]));
  const keys = references.filter((r) => r.required).map((r) => verifyOne(r, inToken.get(r.label)));
  const accounted = new Map<string, KeyReference[]>();
  for (const r of references) accounted.set(r.label, [...(accounted.get(r.label) ?? []), r]);
  const unexpected: UnexpectedKey[] = [];
  for (const e of inventory) {
    const rows = accounted.get(e.label);
    if (rows !== undefined && rows.some((r) => !GONE_STATES.has(r.state))) continue;
    unexpected.push({
      label: e.label,
      algorithm: e.algorithm,
      usage: e.usage,
      kcv: e.kcv,
      reason: rows === undefined ? 'unknown' : 'destroyed',
    });
  }
  const failed = keys.filter((k) => !k.ok).length;
  return {
    ok: failed === 0 && unexpected.length === 0,
    checkedAt: context.checkedAt,
    token: context.token,
    keys,
    unexpected,
    summary: {
      referenced: keys.length,
      verified: keys.length - failed,
      failed,
      unexpected: unexpected.length,
    },
  };
}

function verifyOne(ref: KeyReference, entry: InventoryEntry | undefined): KeyVerification {
  const base = {
    kind: ref.kind,
    id: ref.id,
    label: ref.label,
    state: ref.state,
    ...(ref.sgc !== undefined ? { sgc: ref.sgc } : {}),
    ...(ref.krn !== undefined ? { krn: ref.krn } : {}),
  };
  if (entry === undefined) {
    return {
      ...base,
      ok: false,
      failure: 'MISSING',
      problems: [`no key labelled ${ref.label} in the token`],
    };
  }
  if (ref.kcv !== undefined && !kcvEquals(entry.kcv, ref.kcv.toLowerCase())) {
    return {
      ...base,
      ok: false,
      failure: 'CHECK_VALUE_MISMATCH',
      problems: [
        `the token's key has check value ${entry.kcv}, the database recorded ${ref.kcv}: ` +
          'another key under the same label',
      ],
    };
  }
  if (ref.checkpoint?.valid === false) {
    return {
      ...base,
      ok: false,
      failure: 'CHECK_VALUE_MISMATCH',
      problems: [
        `the signed checkpoint at event ${ref.checkpoint.seq} does not verify under the token's ` +
          'key: another key under the same label',
      ],
    };
  }
  const problems: string[] = [];
  if (entry.algorithm !== ref.algorithm || entry.usage !== ref.usage) {
    problems.push(
      `the token's key is ${entry.algorithm} ${entry.usage}, the database expects ` +
        `${ref.algorithm} ${ref.usage}`,
    );
  }
  if (entry.lengthBytes !== ref.lengthBytes) {
    problems.push(
      `the token's key is ${entry.lengthBytes} bytes long, the database expects ${ref.lengthBytes}`,
    );
  }
  problems.push(...shapeProblems(entry));
  return problems.length === 0
    ? { ...base, ok: true, problems: [] }
    : { ...base, ok: false, failure: 'ATTRIBUTE_MISMATCH', problems };
}
