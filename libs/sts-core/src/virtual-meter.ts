import { type Ea, type TokenCipher, createCipher, keyBytesForEa } from './cipher';
import { checkInt } from './errors';
import { type KeyType, checkKeyType, checkKrn, checkSgc, checkTariffIndex } from './key-params';
import { type BaseDate, checkBaseDate, checkKen, isKeyExpired } from './tid';
import { type DecodedToken, decodeToken } from './tokens';

/** What a meter answers when a token is entered (STS-SPEC §6, §13). */
export type MeterOutcome =
  /** Credit added to the register of the token's subclass. */
  | 'CREDIT_ACCEPTED'
  /** A management instruction (class 2 subclasses 0, 1, 2, 5, 6, 7) was applied. */
  | 'MANAGEMENT_ACCEPTED'
  /** A test/display token (class 1) was accepted; such tokens carry no TID and may be repeated. */
  | 'TEST_ACCEPTED'
  /** A key-change section was stored; the set is not complete yet. */
  | 'KEY_CHANGE_SECTION_STORED'
  /** The last section of a set arrived: the new key and its parameters are installed. */
  | 'KEY_CHANGED'
  /** The CRC did not verify under the meter's key: wrong key, wrong meter or a mistyped token. */
  | 'REJECTED_CRC'
  /** Not a token at all (digits, length or range). */
  | 'REJECTED_FORMAT'
  /** The TID is older than every TID the meter remembers. */
  | 'REJECTED_OLD'
  /** The TID was already used. */
  | 'REJECTED_USED'
  /** The TID is past the key expiry number. */
  | 'REJECTED_KEY_EXPIRED'
  /** Credit under a default key (DDTK, key type 1) is refused. */
  | 'REJECTED_DEFAULT_KEY'
  /** A class or subclass this meter does not implement. */
  | 'REJECTED_UNSUPPORTED';

/** A meter's key register and configuration. */
export interface VirtualMeterConfig {
  readonly ea: Ea;
  /** The decoder key in natural order (8 bytes, 16 for EA11). */
  readonly decoderKey: Uint8Array;
  readonly keyType: KeyType;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly sgc: string;
  readonly baseDate: BaseDate;
  readonly ken: number;
  /** How many recent TIDs the meter remembers (default 50). */
  readonly tidMemorySize?: number;
  /**
   * How long a partial key-change set is held, in milliseconds (default 10 minutes, as in one
   * vendor's documentation; STS-SPEC §13). Sections older than this are dropped.
   */
  readonly keyChangeTimeoutMs?: number;
  /** The meter's clock in epoch milliseconds (default `Date.now`); lets tests move time. */
  readonly clock?: () => number;
}

/** A meter's key register and configuration as it stands (never the key itself). */
export type VirtualMeterState = Omit<
  VirtualMeterConfig,
  'decoderKey' | 'tidMemorySize' | 'keyChangeTimeoutMs' | 'clock'
>;

/** The answer to one token: the outcome and, when it decoded, the token's fields. */
export interface MeterResponse {
  readonly outcome: MeterOutcome;
  readonly token?: DecodedToken;
}

/** Units credited per class 0 subclass, as the meter displays them. */
export type CreditRegisters = Record<number, number>;

/**
 * A meter simulator that follows STS acceptance rules: decrypts with its current key, checks the
 * CRC, KEN, TID memory (OLD / USED), refuses credit on a default key, and collects key-change
 * sections in any order until the set is complete, then installs the new key in one step
 * (RO clears the TID memory; credit is kept).
 */
export class VirtualMeter {
  private cipher: TokenCipher;
  private key: Uint8Array;
  private state: VirtualMeterState;
  private readonly memorySize: number;
  private readonly sectionTimeoutMs: number;
  private readonly clock: () => number;
  /** Remembered TIDs, ascending. */
  private tids: number[] = [];
  /** Key-change sections held until their set is complete, by section number, with arrival time. */
  private sections = new Map<number, { readonly token: DecodedToken; readonly at: number }>();
  private readonly registers: CreditRegisters = {};
  private readonly settings: Record<string, number> = {};

  constructor(config: VirtualMeterConfig) {
    this.memorySize = checkInt('tidMemorySize', config.tidMemorySize ?? 50, 1, 10_000);
    this.sectionTimeoutMs = checkInt(
      'keyChangeTimeoutMs',
      config.keyChangeTimeoutMs ?? 600_000,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    this.clock = config.clock ?? Date.now;
    this.state = {
      ea: config.ea,
      keyType: checkKeyType(config.keyType),
      krn: checkKrn(config.krn),
      tariffIndex: checkTariffIndex(config.tariffIndex),
      sgc: checkSgc(config.sgc),
      baseDate: checkBaseDate(config.baseDate),
      ken: checkKen(config.ken),
    };
    this.key = Uint8Array.from(config.decoderKey);
    this.cipher = createCipher(config.ea, this.key);
  }

  /** The meter's key parameters now (never the key itself). */
  get config(): Readonly<VirtualMeterState> {
    return { ...this.state };
  }

  /** The current decoder key, hex, for tests that check a key change installed the right key. */
  get decoderKeyHex(): string {
    return Buffer.from(this.key).toString('hex');
  }

  /** Credit accumulated per class 0 subclass (units, or currency for 4..7). */
  get credit(): Readonly<CreditRegisters> {
    return { ...this.registers };
  }

  /** Values set by management tokens, by subclass name. */
  get managementSettings(): Readonly<Record<string, number>> {
    return { ...this.settings };
  }

  /** The TIDs the meter remembers, ascending. */
  get tidMemory(): readonly number[] {
    return [...this.tids];
  }

  /** Enters a 20-digit token, as a customer would on the keypad. */
  enter(token: string): MeterResponse {
    let decoded: DecodedToken;
    try {
      decoded = decodeToken(token, { cipher: this.cipher });
    } catch {
      return { outcome: 'REJECTED_FORMAT' };
    }
    if (!decoded.crcValid) return { outcome: 'REJECTED_CRC' };
    switch (decoded.kind) {
      case 'test':
        return { outcome: 'TEST_ACCEPTED', token: decoded };
      case 'credit':
      case 'currency-credit':
        if (this.state.keyType === 1) return { outcome: 'REJECTED_DEFAULT_KEY', token: decoded };
        return this.withTid(decoded, 'CREDIT_ACCEPTED', () => {
          const sub = decoded.subclass as number;
          this.registers[sub] =
            Math.round(((this.registers[sub] ?? 0) + (decoded.amount as number)) * 1e5) / 1e5;
        });
      case 'management':
        return this.withTid(decoded, 'MANAGEMENT_ACCEPTED', () => this.applyManagement(decoded));
      case 'key-change-1':
      case 'key-change-2':
      case 'key-change-3':
      case 'key-change-4':
        return this.storeSection(decoded);
      case 'reserved':
      case undefined:
        return { outcome: 'REJECTED_UNSUPPORTED', token: decoded };
    }
  }

  private withTid(token: DecodedToken, outcome: MeterOutcome, apply: () => void): MeterResponse {
    const tid = token.tid as number;
    if (isKeyExpired(tid, this.state.ken)) return { outcome: 'REJECTED_KEY_EXPIRED', token };
    if (this.tids.includes(tid)) return { outcome: 'REJECTED_USED', token };
    if (this.tids.length >= this.memorySize && tid < this.tids[0])
      return { outcome: 'REJECTED_OLD', token };
    this.tids.push(tid);
    this.tids.sort((a, b) => a - b);
    if (this.tids.length > this.memorySize) this.tids.shift();
    apply();
    return { outcome, token };
  }

  private applyManagement(token: DecodedToken): void {
    const sub = token.subclass as number;
    if (sub === 1) {
      for (const key of Object.keys(this.registers)) {
        if (token.value === 65535 || Number(key) === token.value) this.registers[Number(key)] = 0;
      }
      return;
    }
    const names: Record<number, string> = {
      0: 'maxPowerLimit',
      2: 'tariffRate',
      5: 'tamperCleared',
      6: 'maxPhasePowerUnbalanceLimit',
      7: 'waterMeterFactor',
    };
    this.settings[names[sub]] = token.value as number;
  }

  private storeSection(token: DecodedToken): MeterResponse {
    const section = { 3: 1, 4: 2, 8: 3, 9: 4 }[token.subclass as 3 | 4 | 8 | 9];
    const needed = keyBytesForEa(this.state.ea) === 16 ? 4 : 2;
    if (section > needed) return { outcome: 'REJECTED_UNSUPPORTED', token };
    const now = this.clock();
    for (const [n, held] of this.sections) {
      if (now - held.at > this.sectionTimeoutMs) this.sections.delete(n); // partial set timed out
    }
    this.sections.set(section, { token, at: now });
    if (this.sections.size < needed) return { outcome: 'KEY_CHANGE_SECTION_STORED', token };
    this.installNewKey(needed === 4);
    return { outcome: 'KEY_CHANGED', token };
  }

  private installNewKey(wide: boolean): void {
    const section = (n: number) => this.sections.get(n)?.token as DecodedToken;
    const s1 = section(1);
    const s2 = section(2);
    let hex = (s1.nkho as string) + (s2.nklo as string);
    let sgc = this.state.sgc;
    if (wide) {
      const s3 = section(3);
      const s4 = section(4);
      hex = (s1.nkho as string) + (s3.nkmo2 as string) + (s4.nkmo1 as string) + (s2.nklo as string);
      sgc = String(((s4.sgchi as number) << 12) | (s3.sgclo as number)).padStart(6, '0');
    }
    this.sections.clear();
    this.cipher.dispose();
    this.key.fill(0);
    const parsed = Buffer.from(hex, 'hex');
    this.key = Uint8Array.from(parsed);
    parsed.fill(0);
    this.cipher = createCipher(this.state.ea, this.key);
    this.state = {
      ...this.state,
      keyType: s1.kt as KeyType,
      krn: s1.krn as number,
      tariffIndex: String(s2.ti).padStart(2, '0'),
      ken: ((s1.kenho as number) << 4) | (s2.kenlo as number),
      sgc,
    };
    if (s1.ro === 1) this.tids = [];
  }

  /**
   * Records the base date the meter now counts TIDs from. A meter learns of a base-date change
   * only through RO; this lets a simulation keep its own bookkeeping in step.
   */
  setBaseDate(baseDate: BaseDate): void {
    this.state = { ...this.state, baseDate: checkBaseDate(baseDate) };
  }
}
