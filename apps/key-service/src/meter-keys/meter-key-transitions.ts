import { KT_OF } from '../vending/rules/sts-rules';
import type { VendingKey } from '../vending-keys/vending-key.entity';
import type { KeyChangeState, MeterKeyRecord, MeterKeySource } from './meter-key.entity';

/** A key a meter can hold: a vending key revision with the meter's tariff index. */
export interface HeldKey {
  readonly vendingKeyId: string;
  readonly sgc: string;
  readonly krn: number;
  /** STS key type: 1 default, 2 unique, 3 common. */
  readonly keyType: number;
  readonly baseDate: number;
  readonly tariffIndex: string;
}

/** The key `key` is for a meter on tariff index `tariffIndex`. */
export function heldKeyOf(key: VendingKey, tariffIndex: string): HeldKey {
  return {
    vendingKeyId: key.id,
    sgc: key.sgc,
    krn: key.krn,
    keyType: KT_OF[key.keyType],
    baseDate: key.baseDate,
    tariffIndex,
  };
}

/** The fields of a registry row that say which key the meter holds and since when. */
export type MeterKeyFields = Omit<MeterKeyRecord, 'iin' | 'drn'>;

interface Context {
  readonly ea: string;
  readonly source: MeterKeySource;
  readonly sourceId: string | null;
  readonly recordedBy: string;
  readonly at: string;
}

const NO_CHANGE = {
  changeId: null,
  changeState: null,
  changeFromKeyId: null,
  changeFromTi: null,
  changeToKeyId: null,
  changeToTi: null,
} as const;

function holding(key: HeldKey, ctx: Context): Omit<MeterKeyFields, keyof typeof NO_CHANGE> {
  return {
    sgc: key.sgc,
    krn: key.krn,
    tariffIndex: key.tariffIndex,
    keyType: key.keyType,
    ea: ctx.ea,
    baseDate: key.baseDate,
    vendingKeyId: key.vendingKeyId,
    source: ctx.source,
    sourceId: ctx.sourceId,
    recordedBy: ctx.recordedBy,
    updatedAt: ctx.at,
  };
}

const same = (key: HeldKey, id: string | null, ti: string | null): boolean =>
  key.vendingKeyId === id && key.tariffIndex === ti;

/**
 * The row after someone states the key the meter holds (a vending system, an officer, a bulk
 * list). A statement is the truth about the meter, so it also settles the last key-change set:
 * a meter stated on that set's target took it (`confirmed`); one stated on the key the set moved
 * it from never did (`refused`, so the same set is due again); a meter on
 * any other key has no open set.
 */
export function registered(
  existing: MeterKeyFields | null,
  key: HeldKey,
  ctx: Omit<Context, 'source' | 'sourceId'>,
): MeterKeyFields {
  const base = holding(key, { ...ctx, source: 'registered', sourceId: null });
  const open = existing?.changeId ? existing : null;
  if (open && open.changeState !== null) {
    let state: KeyChangeState | null = null;
    if (same(key, open.changeToKeyId, open.changeToTi)) state = 'confirmed';
    else if (same(key, open.changeFromKeyId, open.changeFromTi)) state = 'refused';
    if (state !== null) {
      return {
        ...base,
        changeId: open.changeId,
        changeState: state,
        changeFromKeyId: open.changeFromKeyId,
        changeFromTi: open.changeFromTi,
        changeToKeyId: open.changeToKeyId,
        changeToTi: open.changeToTi,
      };
    }
  }
  return { ...base, ...NO_CHANGE };
}

/**
 * The row after a key-change set was issued to the meter (by vending or a campaign), in the
 * transaction that records the set: the meter is believed to hold the new key from now on, and
 * the set stays open (`issued`) until the meter is seen on either key.
 */
export function keyChangeIssued(
  from: HeldKey,
  to: HeldKey,
  ctx: Context & { readonly sourceId: string },
): MeterKeyFields {
  return {
    ...holding(to, ctx),
    changeId: ctx.sourceId,
    changeState: 'issued',
    changeFromKeyId: from.vendingKeyId,
    changeFromTi: from.tariffIndex,
    changeToKeyId: to.vendingKeyId,
    changeToTi: to.tariffIndex,
  };
}

/**
 * The row after a vending system reported that the meter never took the open set: back on the
 * key the set moved it from, the set kept as `refused` so that it is due again.
 */
export function changeRefused(
  existing: MeterKeyFields,
  from: HeldKey,
  ctx: Omit<Context, 'source' | 'sourceId'>,
): MeterKeyFields {
  return {
    ...holding(from, { ...ctx, source: 'refused', sourceId: existing.changeId }),
    changeId: existing.changeId,
    changeState: 'refused',
    changeFromKeyId: existing.changeFromKeyId,
    changeFromTi: existing.changeFromTi,
    changeToKeyId: existing.changeToKeyId,
    changeToTi: existing.changeToTi,
  };
}
