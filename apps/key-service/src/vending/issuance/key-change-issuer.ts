import { Inject, Injectable } from '@nestjs/common';
import {
  buildKeyChangeTokens,
  createCipher,
  type DerivationInput,
  type Ea,
  parseDerivationInput,
  StsError,
} from '@sts/core';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import type { VendingKey } from '../../vending-keys/vending-key.entity';
import { KT_OF } from '../rules/sts-rules';
import type { MeterRef, TidAllocator } from '../tid-allocation/tid-allocator';
import { DerivationBatcher } from './derivation-batcher';

/** The parameters a decoder key is derived from, besides the vending key. */
export interface MeterKeyParams extends MeterRef {
  readonly tariffIndex: string;
  readonly ea: Ea;
}

/** Derivation input for `meter` under `key`, with validation errors naming `prefix.<field>`. */
export function derivationInput(
  key: VendingKey,
  meter: MeterKeyParams,
  prefix: string,
): DerivationInput {
  try {
    return parseDerivationInput({
      dkga: key.dkga,
      iin: meter.iin,
      drn: meter.drn,
      keyType: KT_OF[key.keyType],
      sgc: key.sgc,
      tariffIndex: meter.tariffIndex,
      krn: key.krn,
      baseDate: key.baseDate,
      ea: meter.ea,
    });
  } catch (error) {
    if (error instanceof StsError) throw error.qualify(prefix);
    throw error;
  }
}

/** A key-change set, ready to hand out. */
export interface KeyChangeSet {
  /** Sections in order: 2 tokens for a 64-bit new key, 4 for a 128-bit one. */
  readonly tokens: readonly string[];
  /** 1 when the base date changes: the meter clears its TID memory. */
  readonly ro: 0 | 1;
}

/**
 * Makes the key-change token set for one meter (STS-SPEC §5.4, §13): both decoder keys are derived
 * in the token and held in memory only while the sections are encrypted under the current key,
 * then zeroed. Shared by the vending route and rekey campaigns; the callers check the rules.
 * Derivations asked for in the same event-loop turn (a campaign chunk's meters, concurrent
 * requests) share one token call per vending key (DerivationBatcher).
 */
@Injectable()
export class KeyChangeIssuer {
  private readonly derivations: DerivationBatcher;

  constructor(@Inject(KEY_CUSTODY) custody: KeyCustody) {
    this.derivations = new DerivationBatcher(custody);
  }

  async buildSet(
    from: VendingKey,
    current: MeterKeyParams,
    to: VendingKey,
    target: MeterKeyParams,
  ): Promise<KeyChangeSet> {
    const currentInput = derivationInput(from, current, 'meter');
    const newInput = derivationInput(to, target, 'target');
    const ro: 0 | 1 = from.baseDate === to.baseDate ? 0 : 1;
    const currentKey = await this.derivations.derive(from.tokenLabel, currentInput);
    let newKey: Uint8Array | undefined;
    const cipher = (() => {
      try {
        return createCipher(current.ea, currentKey);
      } finally {
        currentKey.fill(0);
      }
    })();
    try {
      newKey = await this.derivations.derive(to.tokenLabel, newInput);
      const tokens = buildKeyChangeTokens(cipher, {
        newKey,
        keyType: KT_OF[to.keyType],
        krn: to.krn,
        tariffIndex: target.tariffIndex,
        ken: to.ken,
        ro,
        sgc: to.sgc,
      });
      return { tokens, ro };
    } finally {
      cipher.dispose();
      newKey?.fill(0);
    }
  }

  /**
   * Inside the issuing transaction: without rollover the meter keeps its TID memory, so TIDs under
   * the new key continue above the last one issued under the current key.
   */
  async carryTids(
    em: EntityManager,
    tids: TidAllocator,
    meter: MeterRef,
    from: VendingKey,
    to: VendingKey,
    ro: 0 | 1,
    at: string,
  ): Promise<void> {
    if (ro === 1 || from.id === to.id) return;
    const last = await tids.lastTid(em, meter, from.id);
    if (last !== undefined) await tids.raiseFloor(em, meter, to.id, last, at);
  }

  /**
   * {@link KeyChangeIssuer.carryTids} for many meters moved from `from` to `to` in one
   * transaction (a campaign chunk): one read of their last TIDs under `from` and one upsert of the
   * floors under `to` per 1,000 meters (`FLOOR_BATCH`), instead of two statements per meter. Only
   * meters that had a TID under `from` get a floor.
   */
  async carryTidsMany(
    em: EntityManager,
    tids: TidAllocator,
    meters: readonly MeterRef[],
    from: VendingKey,
    to: VendingKey,
    ro: 0 | 1,
    at: string,
  ): Promise<number> {
    if (ro === 1 || from.id === to.id || meters.length === 0) return 0;
    const last = await tids.lastTids(em, from.id, meters);
    if (last.size === 0) return 0;
    const floors = meters.flatMap((meter) => {
      const lastTid = last.get(`${meter.iin}|${meter.drn}`);
      return lastTid === undefined ? [] : [{ meter, lastTid }];
    });
    await tids.raiseFloors(em, to.id, floors, at);
    return floors.length;
  }

  /** Refuses a "change" that changes nothing the meter holds. */
  static assertChanges(
    from: VendingKey,
    current: MeterKeyParams,
    to: VendingKey,
    target: MeterKeyParams,
  ): void {
    if (
      from.id === to.id &&
      current.tariffIndex === target.tariffIndex &&
      current.ea === target.ea
    ) {
      throw new DomainError(
        ErrorCode.STS_KEY_CHANGE_INVALID,
        'The target is the key the meter holds already: nothing would change',
        { field: 'target' },
      );
    }
  }
}
