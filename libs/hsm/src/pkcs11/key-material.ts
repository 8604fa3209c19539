import { randomBytes } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import { kcvEquals } from '../check-value';
import { HsmError } from '../key-custody.port';
import type { ResolvedKeySpec, SecretAlgorithm } from '../key-spec';
import { createBlob, findBlob, findInternalKey } from './blob-objects';
import { type TokenCall, outputBuffer } from './call-workers';
import { aesCbcPad } from './mechanisms';
import {
  type SecretRole,
  internalId,
  destroyAll,
  encodeDescriptor,
  roleOf,
  PERSIST_TEMPLATE,
  secretKeyTemplate,
  shareLabel,
} from './objects';
import { tokenSecretCheckValue } from './token-check-value';

/**
 * Turning key values that are in process memory into token objects, and the DKGA02 XOR share
 * (ADR 0002). Everything here runs inside one `withSession` callback; every buffer this module
 * allocates for key material is zeroed before it returns.
 */

/** Smallest HMAC key SoftHSM accepts for CKM_SHA256_HMAC; shorter keys are zero-padded. */
export const MIN_TOKEN_HMAC_BYTES = 32;

/**
 * The CKA_VALUE a secret key of `algorithm` is stored with: DES as the DES2 key K||K (ADR 0003),
 * HMAC zero-padded to 32 bytes (HMAC pads keys with zeros to the block size anyway, RFC 2104
 * §2, so the MAC is unchanged), AES as is. The caller zeroes the result.
 */
export function tokenValue(algorithm: SecretAlgorithm, value: Uint8Array): Buffer {
  if (algorithm === 'DES') return Buffer.concat([value, value]);
  if (algorithm === 'HMAC' && value.length < MIN_TOKEN_HMAC_BYTES) {
    const padded = Buffer.alloc(MIN_TOKEN_HMAC_BYTES);
    padded.set(value);
    return padded;
  }
  return Buffer.from(value);
}

/** The role a key of `algorithm` takes as a transient session object (check values). */
function checkRole(algorithm: SecretAlgorithm): SecretRole {
  return algorithm === 'DES' ? 'work-des' : algorithm === 'HMAC' ? 'vending-hmac' : 'internal-aes';
}

/** The template of a session object holding `storedValue` with `role`'s attributes. */
export function sessionKeyTemplate(role: SecretRole, storedValue: Buffer): Template {
  return [
    ...secretKeyTemplate({ role, token: false }),
    { type: pkcs11js.CKA_VALUE, value: storedValue },
  ];
}

/** Creates a session object holding `value` with `role`'s attributes. */
function createSessionKey(
  pkcs11: PKCS11,
  session: Handle,
  role: SecretRole,
  storedValue: Buffer,
): Handle {
  return pkcs11.C_CreateObject(session, sessionKeyTemplate(role, storedValue));
}

/** Check value of a key value in process memory, computed by the token (session object). */
export function checkValueInToken(
  pkcs11: PKCS11,
  session: Handle,
  algorithm: SecretAlgorithm,
  value: Uint8Array,
): string {
  const stored = tokenValue(algorithm, value);
  let handle: Handle | undefined;
  try {
    handle = createSessionKey(pkcs11, session, checkRole(algorithm), stored);
    return tokenSecretCheckValue(pkcs11, session, handle, algorithm);
  } finally {
    stored.fill(0);
    if (handle !== undefined) destroyAll(pkcs11, session, [handle]);
  }
}

/**
 * Stores a key whose value is in process memory (ceremony, DES import or generation, short
 * HMAC keys) as a sensitive, non-extractable token object. The check value is computed by the
 * token on a session copy first; on a mismatch with `expectedKcv` nothing reaches the token's
 * storage (CHECK_VALUE_MISMATCH). DES keys also get their XOR share. Returns the check value.
 */
export function storeKeyFromValue(
  pkcs11: PKCS11,
  session: Handle,
  spec: ResolvedKeySpec,
  value: Uint8Array,
  expectedKcv: string | undefined,
): string {
  const role = roleOf(spec)!;
  const stored = tokenValue(spec.algorithm, value);
  const created: Handle[] = [];
  let draft: Handle | undefined;
  try {
    draft = pkcs11.C_CreateObject(session, [
      ...secretKeyTemplate({
        role,
        token: false,
        label: spec.label,
        id: encodeDescriptor(spec, spec.label),
      }),
      { type: pkcs11js.CKA_VALUE, value: stored },
    ]);
    const kcv = tokenSecretCheckValue(pkcs11, session, draft, spec.algorithm);
    if (expectedKcv !== undefined && !kcvEquals(kcv, expectedKcv)) {
      throw new HsmError('CHECK_VALUE_MISMATCH', 'the key does not match its check value');
    }
    if (spec.algorithm === 'DES') created.push(...storeShare(pkcs11, session, spec.label, value));
    created.push(pkcs11.C_CopyObject(session, draft, PERSIST_TEMPLATE));
    created.length = 0;
    return kcv;
  } catch (error) {
    destroyQuietly(pkcs11, session, created);
    throw error;
  } finally {
    stored.fill(0);
    if (draft !== undefined) destroyQuietly(pkcs11, session, [draft]);
  }
}

/**
 * Stores a session key object (from C_UnwrapKey) as a token object after checking its value
 * against `expectedKcv`; nothing is stored on a mismatch.
 */
export function persistVerifiedKey(
  pkcs11: PKCS11,
  session: Handle,
  draft: Handle,
  algorithm: SecretAlgorithm,
  expectedKcv: string,
): string {
  const kcv = tokenSecretCheckValue(pkcs11, session, draft, algorithm);
  if (!kcvEquals(kcv, expectedKcv)) {
    throw new HsmError('CHECK_VALUE_MISMATCH', 'the key does not match its check value');
  }
  pkcs11.C_CopyObject(session, draft, PERSIST_TEMPLATE);
  return kcv;
}

/** CKA_APPLICATION of DKGA02 share data objects. */
const SHARE_APPLICATION = 'sts-dkga02-xor-share';

/**
 * ADR 0002: the vending key's value for DKGA02's final XOR, stored encrypted (AES-256-CBC-PAD,
 * random IV) under an AES key generated in the token for this vending key alone. Returns the
 * created handles (AES key, data object).
 */
export function storeShare(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
  vendingKey: Uint8Array,
): Handle[] {
  const created: Handle[] = [];
  const plain = Buffer.from(vendingKey);
  try {
    const key = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      ...secretKeyTemplate({
        role: 'internal-aes',
        token: true,
        label: shareLabel(label),
        id: internalId(shareLabel(label)),
      }),
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    ]);
    created.push(key);
    const iv = randomBytes(16);
    pkcs11.C_EncryptInit(session, aesCbcPad(iv), key);
    const ciphertext = pkcs11.C_Encrypt(session, plain, Buffer.alloc(32));
    created.push(
      createBlob(
        pkcs11,
        session,
        shareLabel(label),
        SHARE_APPLICATION,
        Buffer.concat([iv, ciphertext]),
      ),
    );
    return created;
  } catch (error) {
    destroyQuietly(pkcs11, session, created);
    throw error;
  } finally {
    plain.fill(0);
  }
}

/** The share of vending key `label`: its AES key handle and the encrypted blob. */
export interface ShareRef {
  readonly key: Handle;
  readonly blob: Buffer;
}

/** Finds the XOR share of vending key `label`; UNAVAILABLE if the token lost it. */
export function findShare(pkcs11: PKCS11, session: Handle, label: string): ShareRef {
  const key = findInternalKey(pkcs11, session, shareLabel(label));
  const blob = findBlob(pkcs11, session, shareLabel(label), SHARE_APPLICATION);
  if (key === undefined || blob === undefined) {
    throw new HsmError('UNAVAILABLE', `DKGA02 share of ${label} is missing from the token`);
  }
  return { key, blob: blob.value };
}

/**
 * The calls that decrypt the share in the token, for a worker sequence (call-workers.ts): the
 * vending key's value comes back in process memory for the duration of one DKGA02 call
 * (ADR 0002), in a 32-byte output the caller zeroes whole.
 */
export function openShareCalls(session: Handle, share: ShareRef): TokenCall[] {
  return [
    ['C_DecryptInit', session, aesCbcPad(share.blob.subarray(0, 16)), share.key],
    ['C_Decrypt', session, share.blob.subarray(16), outputBuffer(32)],
  ];
}

/** Best-effort destruction during cleanup (the original error matters more). */
export function destroyQuietly(pkcs11: PKCS11, session: Handle, handles: readonly Handle[]): void {
  try {
    destroyAll(pkcs11, session, handles);
  } catch {
    // Reported through the operation's own error; leftovers carry no usable label.
  }
}
