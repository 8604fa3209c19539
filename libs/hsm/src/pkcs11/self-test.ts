import { createHmac } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, Mechanism, PKCS11, Template } from 'pkcs11js';
import type { SelfTestCheck } from '../key-custody.port';
import { HsmError } from '../key-custody.port';
import {
  DES_KAT_KCV,
  DES_KAT_KEY,
  RFC4231_DATA,
  RFC4231_KEY,
  RFC4231_MAC,
  SELF_TEST_CHECKS,
} from '../known-answers';
import type { TokenConnection } from './connection';
import { toHsmError } from './errors';
import { REQUIRED_MECHANISMS, SHA256_HMAC, chooseMechanism } from './mechanisms';
import { destroyAll, secretKeyTemplate } from './objects';
import { tokenSecretCheckValue } from './token-check-value';

/**
 * The start-up self-test of the PKCS#11 adapter (issue 3, "Self-test on open"): every required
 * mechanism with the flags it needs, then known answers computed by the token with session
 * objects that are destroyed afterwards.
 */

/**
 * Key-wrap known answers. Unwrap: RFC 5649 §6, second example (192-bit KEK, 7-byte key). Wrap:
 * the same KEK and the 16-byte key 00112233..eeff; the expected blob was computed with OpenSSL's
 * id-aes192-wrap-pad, which reproduces both RFC 5649 §6 examples (key-wrap.spec.ts). SoftHSM
 * 2.6.1 wraps keys whose length is not a multiple of 8 incorrectly (it zero-pads them first),
 * so the wrap direction is checked with a 16-byte key, the shape of every exported key.
 */
const RFC5649_KEK = '5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8';
const RFC5649_KEY = '466f7250617369';
const RFC5649_WRAPPED = 'afbeb0f07dfbf5419200f2ccb50bb24f';
const WRAP_KAT_KEY = '00112233445566778899aabbccddeeff';
const WRAP_KAT_WRAPPED = '3d5096111d227d3c97f6a8d619ccf2ee7912eebeb1b41e43';

/** Runs all checks; never throws for a failed check, only reports it. */
export function runSelfTest(connection: TokenConnection): SelfTestCheck[] {
  const checks: SelfTestCheck[] = mechanismChecks(connection.pkcs11, connection.slot);
  checks.push(
    knownAnswer(connection, SELF_TEST_CHECKS.des2Kcv, desKnownAnswer),
    knownAnswer(connection, SELF_TEST_CHECKS.hmacRfc4231, hmacKnownAnswer),
    knownAnswer(connection, SELF_TEST_CHECKS.keyWrapRoundTrip, keyWrapKnownAnswer),
  );
  return checks;
}

function mechanismChecks(pkcs11: PKCS11, slot: Handle): SelfTestCheck[] {
  let present: Set<number>;
  try {
    present = new Set(pkcs11.C_GetMechanismList(slot));
  } catch (error) {
    const detail = toHsmError(error, 'C_GetMechanismList').message;
    return REQUIRED_MECHANISMS.map((m) => ({ name: `mechanism:${m.name}`, ok: false, detail }));
  }
  return REQUIRED_MECHANISMS.map((m) => {
    const name = `mechanism:${m.name}`;
    const choice = chooseMechanism(
      m,
      present,
      (type) => pkcs11.C_GetMechanismInfo(slot, type).flags,
    );
    if (choice.chosen === undefined) return { name, ok: false, detail: 'not offered by the token' };
    const via = choice.chosen.type === m.type ? '' : ` (as ${choice.chosen.name})`;
    return choice.missingFlags.length === 0
      ? { name, ok: true, ...(via ? { detail: `offered${via}` } : {}) }
      : { name, ok: false, detail: `missing ${choice.missingFlags.join(', ')}${via}` };
  });
}

/** One known answer: `wrap` is the token's RFC 5649 mechanism (mechanisms.ts). */
type KnownAnswer = (pkcs11: PKCS11, session: Handle, created: Handle[], wrap: Mechanism) => boolean;

function knownAnswer(connection: TokenConnection, name: string, run: KnownAnswer): SelfTestCheck {
  try {
    const ok = connection.withSession(`self-test ${name}`, (session) => {
      const created: Handle[] = [];
      try {
        return run(connection.pkcs11, session, created, connection.keyWrap);
      } finally {
        destroyAll(connection.pkcs11, session, created);
      }
    });
    return ok ? { name, ok } : { name, ok, detail: 'wrong known answer' };
  } catch (error) {
    const hsmError = error instanceof HsmError ? error : toHsmError(error, name);
    return { name, ok: false, detail: hsmError.pkcs11Code ?? hsmError.code };
  }
}

/** DES2 key 0123456789ABCDEF as K||K, CKM_DES3_ECB of a zero block: check value D5D44F. */
const desKnownAnswer: KnownAnswer = (pkcs11, session, created) => {
  const key = Buffer.from(DES_KAT_KEY + DES_KAT_KEY, 'hex');
  const handle = pkcs11.C_CreateObject(session, [
    ...secretKeyTemplate({ role: 'work-des', token: false }),
    { type: pkcs11js.CKA_VALUE, value: key },
  ]);
  created.push(handle);
  return tokenSecretCheckValue(pkcs11, session, handle, 'DES') === DES_KAT_KCV;
};

/** RFC 4231 test case 2 with the key zero-padded to 32 bytes (the same MAC, see ADR 0003). */
const hmacKnownAnswer: KnownAnswer = (pkcs11, session, created) => {
  const key = Buffer.alloc(32);
  key.write(RFC4231_KEY, 'utf8');
  const handle = pkcs11.C_CreateObject(session, [
    ...secretKeyTemplate({ role: 'vending-hmac', token: false }),
    { type: pkcs11js.CKA_VALUE, value: key },
  ]);
  created.push(handle);
  pkcs11.C_SignInit(session, SHA256_HMAC, handle);
  const mac = pkcs11.C_Sign(session, Buffer.from(RFC4231_DATA, 'utf8'), Buffer.alloc(32));
  const software = createHmac('sha256', RFC4231_KEY).update(RFC4231_DATA).digest('hex');
  return mac.toString('hex') === RFC4231_MAC && software === RFC4231_MAC;
};

/**
 * Unwraps the RFC 5649 §6 example in the token and compares the recovered value; wraps the
 * 16-byte key and compares with the known blob; unwraps that blob again and wraps the result
 * (a round trip through the token).
 */
const keyWrapKnownAnswer: KnownAnswer = (pkcs11, session, created, wrap) => {
  const kek = pkcs11.C_CreateObject(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_WRAP, value: true },
    { type: pkcs11js.CKA_UNWRAP, value: true },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(RFC5649_KEK, 'hex') },
  ]);
  created.push(kek);
  const readable: Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_SENSITIVE, value: false },
    { type: pkcs11js.CKA_EXTRACTABLE, value: true },
  ];
  const vector = pkcs11.C_UnwrapKey(
    session,
    wrap,
    kek,
    Buffer.from(RFC5649_WRAPPED, 'hex'),
    readable,
  );
  created.push(vector);
  const [value] = pkcs11.C_GetAttributeValue(session, vector, [{ type: pkcs11js.CKA_VALUE }]);
  if (value.value.toString('hex') !== RFC5649_KEY) return false;

  const key = pkcs11.C_CreateObject(session, [
    ...secretKeyTemplate({ role: 'export-carrier', token: false }),
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(WRAP_KAT_KEY, 'hex') },
  ]);
  created.push(key);
  const wrapped = pkcs11.C_WrapKey(session, wrap, kek, key, Buffer.alloc(64));
  if (wrapped.toString('hex') !== WRAP_KAT_WRAPPED) return false;
  const carrier = secretKeyTemplate({ role: 'export-carrier', token: false });
  const unwrapped = pkcs11.C_UnwrapKey(session, wrap, kek, wrapped, carrier);
  created.push(unwrapped);
  const again = pkcs11.C_WrapKey(session, wrap, kek, unwrapped, Buffer.alloc(64));
  return again.toString('hex') === WRAP_KAT_WRAPPED;
};
