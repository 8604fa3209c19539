import { type Ea, type TokenCipher, checkEa, createCipher } from './cipher';
import {
  type DerivationInput,
  type Dkga02Options,
  deriveDecoderKey,
  parseDerivationInput,
} from './dkga';
import { StsError, checkInt, describe, invalid } from './errors';
import { bytesToHex, hexToBytes } from './hex';
import { parseToken } from './token-codec';
import { checkKeyType, checkKrn, checkSgc, checkTariffIndex } from './key-params';
import {
  assertKenCovers,
  checkBaseDate,
  checkKen,
  checkTid,
  parseWallClock,
  tidFromWallClock,
} from './tid';
import {
  type CreditSubclass,
  type DecodedToken,
  type ManagementSubclass,
  buildCreditToken,
  buildKeyChangeTokens,
  buildManagementToken,
  buildTestToken,
  decodeToken,
} from './tokens';

/**
 * The request shapes of the `sts` command and its JSON Lines batch mode (contracts/sts-cli.md),
 * executed against the library. One request in, one result object out; invalid requests throw
 * `StsError` naming the field (nested fields as `key.drn`, `newKey.krn`, ...).
 */

type Json = Record<string, unknown>;

/** The operations of the batch protocol. */
export const OPERATIONS = ['derive', 'credit', 'class2', 'class1', 'key-change', 'decode'] as const;
/** One of {@link OPERATIONS}. */
export type Operation = (typeof OPERATIONS)[number];

/** Options that apply to every request. */
export interface RequestOptions extends Dkga02Options {
  /** Refuse vending keys given in requests (for callers that must only use given decoder keys). */
  readonly forbidVendingKeys?: boolean;
}

function asObject(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(field, `must be a JSON object, got ${describe(value)}`);
  }
  return value as Json;
}

/** Runs `fn`, qualifying the field of any `StsError` it throws with `prefix`. */
function within<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof StsError ? e.qualify(prefix) : e;
  }
}

/** A key object resolved to decoder-key bytes and the parameters that came with it. */
interface ResolvedKey {
  readonly key: Uint8Array;
  readonly derivation?: DerivationInput;
  readonly fields: Json;
}

function resolveKey(
  object: unknown,
  name: string,
  defaultEa: Ea | undefined,
  options: RequestOptions,
): ResolvedKey {
  const fields = asObject(object, name);
  return within(name, () => {
    if (fields.decoderKey !== undefined) {
      if (fields.vendingKey !== undefined)
        invalid('vendingKey', 'give either decoderKey or a derivation, not both');
      return { key: hexToBytes('decoderKey', fields.decoderKey, [8, 16]), fields };
    }
    if (fields.vendingKey === undefined)
      invalid('decoderKey', 'a key object needs decoderKey, or dkga and vendingKey');
    if (options.forbidVendingKeys) invalid('vendingKey', 'vending keys are not accepted here');
    // The request's EA applies to the key it encrypts with; a new key may be for another EA.
    const derivation = parseDerivationInput(
      fields,
      fields.dkga === '04' || name !== 'newKey' ? defaultEa : undefined,
    );
    // DKGA04 binds the EA into the key (STS-SPEC §12.3): a key that encrypts this request must be
    // made for the request's EA. A new key may be for another EA (§14 #13).
    if (name !== 'newKey' && derivation.ea !== undefined && derivation.ea !== defaultEa) {
      throw new StsError(
        'UNSUPPORTED_COMBINATION',
        'ea',
        `ea: the key is derived for EA${derivation.ea}, the request uses EA${defaultEa}`,
      );
    }
    const vendingKey = hexToBytes('vendingKey', fields.vendingKey);
    try {
      return { key: deriveDecoderKey(vendingKey, derivation, options), derivation, fields };
    } finally {
      vendingKey.fill(0);
    }
  });
}

/** Runs `fn`, then zeroes the decoder keys, whether `fn` returned or threw. */
function zeroingKeys<T>(keys: readonly ResolvedKey[], fn: () => T): T {
  try {
    return fn();
  } finally {
    for (const k of keys) k.key.fill(0);
  }
}

function withCipher<T>(
  ea: Ea,
  resolved: ResolvedKey,
  field: string,
  fn: (cipher: TokenCipher) => T,
): T {
  return zeroingKeys([resolved], () => {
    const cipher = within(field, () => createCipher(ea, resolved.key));
    try {
      return fn(cipher);
    } finally {
      cipher.dispose();
    }
  });
}

/**
 * The request's TID: given, or counted from `issuedAt` (STS-SPEC §6). A DKGA04 key is bound to
 * its base date (§12.3, §13), so a request base date that differs from the key's is refused.
 */
function requestTid(req: Json, key: ResolvedKey | undefined): number {
  const keyBase = key?.derivation?.baseDate;
  if (req.baseDate !== undefined && keyBase !== undefined && req.baseDate !== keyBase) {
    throw new StsError(
      'UNSUPPORTED_COMBINATION',
      'baseDate',
      `baseDate: the key is derived for base date ${keyBase}, not ${describe(req.baseDate)}`,
    );
  }
  if (req.tid !== undefined) {
    if (req.issuedAt !== undefined) invalid('issuedAt', 'give either tid or issuedAt, not both');
    return checkTid(req.tid);
  }
  if (req.issuedAt === undefined) invalid('tid', 'give tid, or issuedAt with baseDate');
  const baseDate = checkBaseDate(req.baseDate ?? keyBase);
  return tidFromWallClock(parseWallClock(req.issuedAt, 'issuedAt'), baseDate, 'issuedAt');
}

function checkKenIfGiven(req: Json, tid: number): void {
  if (req.ken !== undefined) assertKenCovers(tid, checkKen(req.ken));
}

function derive(req: Json, options: RequestOptions): Json {
  if (options.forbidVendingKeys) invalid('vendingKey', 'vending keys are not accepted here');
  const derivation = parseDerivationInput(req);
  const vendingKey = hexToBytes('vendingKey', req.vendingKey);
  const key = deriveDecoderKey(vendingKey, derivation, options);
  vendingKey.fill(0);
  const decoderKey = bytesToHex(key);
  key.fill(0);
  return { decoderKey };
}

function credit(req: Json, options: RequestOptions): Json {
  const ea = checkEa(req.ea);
  const resolved = resolveKey(req.key, 'key', ea, options);
  return zeroingKeys([resolved], () => {
    const tid = requestTid(req, resolved);
    checkKenIfGiven(req, tid);
    const subclass = checkInt('subclass', req.subclass, 0, 7) as CreditSubclass;
    if (req.amount === undefined) invalid('amount', 'is required');
    const token = withCipher(ea, resolved, 'key', (cipher) =>
      buildCreditToken(cipher, {
        subclass,
        rnd: req.rnd as number | undefined,
        tid,
        amount: req.amount as number,
      }),
    );
    return { token, tid };
  });
}

function class2(req: Json, options: RequestOptions): Json {
  const ea = checkEa(req.ea);
  const resolved = resolveKey(req.key, 'key', ea, options);
  return zeroingKeys([resolved], () => {
    const tid = requestTid(req, resolved);
    checkKenIfGiven(req, tid);
    const token = withCipher(ea, resolved, 'key', (cipher) =>
      buildManagementToken(cipher, {
        subclass: req.subclass as ManagementSubclass,
        rnd: req.rnd as number | undefined,
        tid,
        value: req.value as number,
      }),
    );
    return { token, tid };
  });
}

function class1(req: Json): Json {
  return {
    token: buildTestToken({
      subclass: req.subclass as 0 | 1,
      control: req.control as string,
      manufacturerCode: req.manufacturerCode as number,
    }),
  };
}

/**
 * STS-SPEC §13, RO bit: 1 only when the TID history must go, that is when the base date changes.
 * Given explicitly it is used as given; omitted, it is 1 exactly when both keys are DKGA04 keys
 * (which carry their base date) on different base dates, else 0.
 */
function rolloverBit(req: Json, current: ResolvedKey, next: ResolvedKey): 0 | 1 {
  if (req.ro !== undefined) return checkInt('ro', req.ro, 0, 1) as 0 | 1;
  const from = current.derivation?.baseDate;
  const to = next.derivation?.baseDate;
  return from !== undefined && to !== undefined && from !== to ? 1 : 0;
}

function keyChange(req: Json, options: RequestOptions): Json {
  const ea = checkEa(req.ea);
  const current = resolveKey(req.currentKey, 'currentKey', ea, options);
  return zeroingKeys([current], () => {
    const next = resolveKey(req.newKey, 'newKey', ea, options);
    return zeroingKeys([next], () => {
      const params = within('newKey', () => {
        const d = next.derivation;
        return {
          keyType: checkKeyType(d?.keyType ?? next.fields.keyType),
          krn: checkKrn(d?.krn ?? next.fields.krn),
          tariffIndex: checkTariffIndex(d?.tariffIndex ?? next.fields.tariffIndex),
          sgc: next.key.length === 16 ? checkSgc(d?.sgc ?? next.fields.sgc) : undefined,
        };
      });
      const ro = rolloverBit(req, current, next);
      const ken = req.ken === undefined ? 255 : checkKen(req.ken);
      const tokens = withCipher(ea, current, 'currentKey', (cipher) =>
        buildKeyChangeTokens(cipher, { newKey: next.key, ken, ro, ...params }),
      );
      return { tokens };
    });
  });
}

function decode(req: Json, options: RequestOptions): Json {
  if (req.crc !== undefined && req.crc !== 'standard' && req.crc !== 'currency') {
    invalid('crc', `must be "standard" or "currency", got ${describe(req.crc)}`);
  }
  const crc = req.crc;
  const token = req.token as string;
  // Class 1 is never encrypted (STS-SPEC §3), so `key` and `ea` are optional there, apart or
  // together (contracts/sts-cli.md, decode); the class is readable before any decryption.
  if (parseToken(token).tokenClass === 1) return publicFields(decodeToken(token, { crc }));
  const ea = checkEa(req.ea);
  const resolved = resolveKey(req.key, 'key', ea, options);
  return withCipher(ea, resolved, 'key', (cipher) =>
    publicFields(decodeToken(token, { cipher, crc })),
  );
}

function publicFields(decoded: DecodedToken): Json {
  const { kind: _kind, ...fields } = decoded;
  return fields;
}

/**
 * Executes one request of the batch protocol and returns its result fields (without `id`).
 * Throws `StsError` for anything wrong with the request.
 */
export function executeRequest(request: unknown, options: RequestOptions = {}): Json {
  const req = asObject(request, 'request');
  switch (req.op) {
    case 'derive':
      return derive(req, options);
    case 'credit':
      return credit(req, options);
    case 'class2':
      return class2(req, options);
    case 'class1':
      return class1(req);
    case 'key-change':
      return keyChange(req, options);
    case 'decode':
      return decode(req, options);
    default:
      return invalid('op', `must be one of ${OPERATIONS.join(', ')}, got ${describe(req.op)}`);
  }
}
