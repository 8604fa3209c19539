import {
  type BaseDate,
  buildKeyChangeTokens,
  createCipher,
  type DerivationInput,
  type Dkga,
  type Ea,
  type KeyType,
  type MeterId,
  parseDerivationInput,
  StsError,
} from '@sts/core';
import type { KeyCustody } from '@sts/hsm';
import { fromStsError } from '../common/domain-error';
import type { ErrorCode } from '../common/error-codes';

/**
 * The per-meter key-change builder: derives a meter's current and new decoder keys through the
 * key-custody port and builds the key-change set (2 tokens for a 64-bit new key, 4 for a 128-bit
 * one, STS-SPEC §5.4 and §13), each section encrypted under the current key. Decoder keys live
 * only in process memory for the call and are zeroed afterwards.
 *
 * Shared: rekey campaigns call it for chunks of meters; the vending interface can call it for one
 * meter (a list of one). It checks per-meter STS combinations (DKGA / key type / EA); the caller
 * checks the key-level rules (states, KRN order, clusters) before calling.
 */

/** One side of a key change: which vending key and the parameters the meter's key derives from. */
export interface KeySide {
  /** Token label of the vending key. */
  readonly label: string;
  readonly dkga: Dkga;
  readonly keyType: KeyType;
  readonly sgc: string;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly baseDate: BaseDate;
  /** Key expiry number of the vending key (travels with the new key). */
  readonly ken: number;
}

export interface KeyChangePlan {
  readonly from: KeySide;
  readonly to: KeySide;
  /** 1 when the base date changes (the meter clears its TID memory), else 0. */
  readonly ro: 0 | 1;
}

export interface MeterKeyChange {
  readonly meter: MeterId;
  readonly ea: Ea;
}

export type KeyChangeOutcome =
  | { readonly ok: true; readonly tokens: string[] }
  | { readonly ok: false; readonly code: ErrorCode };

/** RO is 1 exactly when the base date changes (STS-SPEC §13). */
export function rolloverBit(from: BaseDate, to: BaseDate): 0 | 1 {
  return from === to ? 0 : 1;
}

function derivation(side: KeySide, m: MeterKeyChange): DerivationInput {
  return parseDerivationInput({
    dkga: side.dkga,
    iin: m.meter.iin,
    drn: m.meter.drn,
    keyType: side.keyType,
    sgc: side.sgc,
    tariffIndex: side.tariffIndex,
    krn: side.krn,
    baseDate: side.baseDate,
    ea: m.ea,
  });
}

async function deriveAll(
  custody: KeyCustody,
  label: string,
  inputs: readonly DerivationInput[],
): Promise<Uint8Array[]> {
  if (inputs.length === 0) return [];
  if (custody.deriveDecoderKeys) return custody.deriveDecoderKeys(label, inputs);
  const keys: Uint8Array[] = [];
  try {
    for (const input of inputs) keys.push(await custody.deriveDecoderKey(label, input));
  } catch (error) {
    for (const k of keys) k.fill(0);
    throw error;
  }
  return keys;
}

/**
 * Builds the key-change sets for `meters`, in order. A meter whose parameters break an STS
 * combination rule gets `{ok: false, code}`; custody errors (token unavailable, key missing)
 * are thrown, so that the caller can retry the whole batch with nothing half-issued.
 */
export async function buildKeyChangeSets(
  custody: KeyCustody,
  plan: KeyChangePlan,
  meters: readonly MeterKeyChange[],
): Promise<KeyChangeOutcome[]> {
  const outcomes = new Array<KeyChangeOutcome | undefined>(meters.length);
  const index: number[] = [];
  const fromInputs: DerivationInput[] = [];
  const toInputs: DerivationInput[] = [];
  meters.forEach((m, i) => {
    try {
      const f = derivation(plan.from, m);
      const t = derivation(plan.to, m);
      index.push(i);
      fromInputs.push(f);
      toInputs.push(t);
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      outcomes[i] = { ok: false, code: fromStsError(error).code };
    }
  });
  const current = await deriveAll(custody, plan.from.label, fromInputs);
  let next: Uint8Array[] = [];
  try {
    next = await deriveAll(custody, plan.to.label, toInputs);
    index.forEach((i, j) => {
      const cipher = createCipher(meters[i].ea, current[j]);
      try {
        const newKey = next[j];
        outcomes[i] = {
          ok: true,
          tokens: buildKeyChangeTokens(cipher, {
            newKey,
            keyType: plan.to.keyType,
            krn: plan.to.krn,
            tariffIndex: plan.to.tariffIndex,
            ken: plan.to.ken,
            ro: plan.ro,
            ...(newKey.length === 16 ? { sgc: plan.to.sgc } : {}),
          }),
        };
      } catch (error) {
        if (!(error instanceof StsError)) throw error;
        outcomes[i] = { ok: false, code: fromStsError(error).code };
      } finally {
        cipher.dispose();
      }
    });
  } finally {
    for (const k of current) k.fill(0);
    for (const k of next) k.fill(0);
  }
  return outcomes as KeyChangeOutcome[];
}
