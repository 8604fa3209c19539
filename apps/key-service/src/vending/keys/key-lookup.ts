import { Injectable } from '@nestjs/common';
import { type BaseDate, tidFromDate } from '@sts/core';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { ExpiringCache } from '../../common/expiring-cache';
import { TransactionRunner } from '../../database/transaction-runner';
import { RecoveryState } from '../../recovery/recovery-state';
import type { VendingKey } from '../../vending-keys/vending-key.entity';
import type { MeterKeyDto } from '../dto/vending-request.dto';
import { type LiveKey, readLiveKey } from '../issuance/issuance-sql';
import {
  assertEaAllowed,
  assertKeyParameters,
  assertKeyUsable,
  assertSupplyGroupActive,
} from '../rules/sts-rules';

/**
 * How long a process reuses a vending key row it has read, for the work before the database
 * (rules, HSM derivation). Hard bound: 1 s. The key's state and times are checked again inside
 * the issuing transaction, so a suspended or superseded key issues nothing after its change
 * commits; the cache only saves the per-request read.
 */
export const KEY_CACHE_MS = 1000;

/** The vending key a request names (credit, management, derived key). */
export interface KeyRef {
  readonly sgc: string;
  readonly krn: number;
}

/** A live key as a request found it, and whether this request did not read it itself. */
export interface FoundKey {
  readonly live: LiveKey | null;
  readonly cached: boolean;
}

/** A decision made on a cached (or since changed) key row, to be made again on a fresh read. */
export class KeyRetry extends Error {
  constructor(readonly reason: unknown) {
    super('vending key to be read again');
  }
}

/** Attributes of a vending key that the token work depends on (a change needs a fresh start). */
function sameKeyMaterial(a: VendingKey, b: VendingKey): boolean {
  return (
    a.id === b.id &&
    a.sgc === b.sgc &&
    a.liveKrn === b.liveKrn &&
    a.tokenLabel === b.tokenLabel &&
    a.keyType === b.keyType &&
    a.dkga === b.dkga &&
    a.baseDate === b.baseDate &&
    a.ken === b.ken &&
    a.kcv === b.kcv
  );
}

/**
 * The vending key a request names: read through a short cache, judged by the rules, judged again
 * against the row the batch transaction reads, and read afresh once when a decision made on a
 * cached row has to be made again.
 */
@Injectable()
export class KeyLookup {
  /** Live vending keys by `sgc|krn` (a key that is not found is not kept). */
  private readonly cache: ExpiringCache<string, LiveKey | null>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly recovery: RecoveryState,
  ) {
    this.cache = new ExpiringCache<string, LiveKey | null>({
      ttlMs: KEY_CACHE_MS,
      keep: (key) => key !== null,
      clock,
    });
  }

  /**
   * Runs `attempt` with the read of the key `ref` names (none when null; the read is handed over
   * unawaited so the caller can make its other reads meanwhile): first as the cache holds it, and
   * once more on a fresh read when the attempt throws {@link KeyRetry}. A key that changed again
   * meanwhile is a 409 to retry.
   */
  async decide<T>(
    ref: KeyRef | null,
    attempt: (found: Promise<FoundKey>) => Promise<T>,
  ): Promise<T> {
    const none = (): Promise<FoundKey> => Promise.resolve({ live: null, cached: false });
    try {
      return await attempt(ref ? this.read(ref, false) : none());
    } catch (error) {
      if (!(error instanceof KeyRetry) || !ref) throw error;
    }
    this.cache.delete(cacheId(ref));
    try {
      return await attempt(this.read(ref, true));
    } catch (error) {
      if (!(error instanceof KeyRetry)) throw error;
      throw DomainError.invalidState(
        'The vending key changed while the request was served; retry the request',
        {},
      );
    }
  }

  /** The vending key a meter's credit/management/derived key request uses, with the rules applied. */
  vendKey(live: LiveKey | null, m: MeterKeyDto, prefix: string): VendingKey {
    if (!live) throw keyNotFound(m.sgc, m.krn, prefix);
    const { key } = live;
    assertSupplyGroupActive(key.sgc, live.groupState, `${prefix}.sgc`);
    assertKeyUsable(key, 'vend', this.clock.nowIso());
    assertKeyParameters(key, m, prefix);
    assertEaAllowed(key, m.ea, `${prefix}.ea`);
    this.recovery.assertCustodyVerified(key.tokenLabel, `${prefix}.krn`);
    return key;
  }

  /**
   * Inside the batch transaction, before anything of the request is written: the key row as it is
   * now is still the live key the request named, still passes the rules (its supply group's state,
   * its state, activation, issue-until, expiry, parameters, EA) and still has the key material the
   * token was made with. Otherwise the request is decided again on a fresh read ({@link KeyRetry}),
   * so the answer is the one a fresh read gives (e.g. 422 STS_KEY_NOT_ACTIVE for a suspended key).
   */
  recheck(used: VendingKey, row: LiveKey | undefined, m: MeterKeyDto): void {
    if (
      !row ||
      row.key.sgc !== m.sgc ||
      row.key.liveKrn !== m.krn ||
      !sameKeyMaterial(used, row.key)
    ) {
      throw new KeyRetry(new Error('cached vending key is stale'));
    }
    this.vendKey(row, m, 'meter');
  }

  /**
   * The TID of `at` counted from the key's base date (STS-SPEC §6), or of the TID floor a
   * restore set when that is later (docs/operations.md, "TIDs after a restore").
   */
  nowTid(key: VendingKey, at: Date): number {
    return tidFromDate(this.recovery.tidTime(at), key.baseDate as BaseDate);
  }

  /**
   * The live key from the cache (at most {@link KEY_CACHE_MS} old) unless `fresh`, else read
   * outside any transaction. `cached`: kept, or read for a concurrent request.
   */
  private async read(ref: KeyRef, fresh: boolean): Promise<FoundKey> {
    const id = cacheId(ref);
    const read = () => this.tx.read((em) => readLiveKey(em, ref.sgc, ref.krn));
    if (fresh) return { live: await this.cache.reload(id, read), cached: false };
    // A read shared with a concurrent request may have started before this request arrived.
    let readHere = false;
    const live = await this.cache.get(id, () => {
      readHere = true;
      return read();
    });
    return { live, cached: !readHere };
  }
}

function cacheId(ref: KeyRef): string {
  return `${ref.sgc}|${ref.krn}`;
}

/** 404 for a key the request names that is not live. */
export function keyNotFound(sgc: string, krn: number, prefix: string): DomainError {
  return new DomainError(ErrorCode.NOT_FOUND, `No live vending key for SGC ${sgc} KRN ${krn}`, {
    field: `${prefix}.krn`,
    sgc,
    krn,
  });
}
