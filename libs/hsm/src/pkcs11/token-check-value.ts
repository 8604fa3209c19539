import { createPublicKey } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import { HMAC_KCV_MESSAGE, kcvFromBlock } from '../check-value';
import type { KeyAlgorithm } from '../key-custody.port';
import { HsmError } from '../key-custody.port';
import { AES_ECB, DES3_ECB, SHA256_HMAC } from './mechanisms';

/**
 * Check values computed by the token itself (issue 3: "computed by encryption in the token; do
 * not trust CKA_CHECK_VALUE"), defined as in `check-value.ts`.
 */

/** Encrypts one zero block with `handle` (DES2 K||K: 8 bytes, AES: 16 bytes). */
function encryptZeroBlock(pkcs11: PKCS11, session: Handle, handle: Handle, aes: boolean): Buffer {
  const size = aes ? 16 : 8;
  pkcs11.C_EncryptInit(session, aes ? AES_ECB : DES3_ECB, handle);
  return pkcs11.C_Encrypt(session, Buffer.alloc(size), Buffer.alloc(size));
}

/** Check value of a secret key in the token, by encryption (DES, AES) or HMAC (HMAC). */
export function tokenSecretCheckValue(
  pkcs11: PKCS11,
  session: Handle,
  handle: Handle,
  algorithm: Exclude<KeyAlgorithm, 'EC_P256'>,
): string {
  if (algorithm === 'HMAC') {
    pkcs11.C_SignInit(session, SHA256_HMAC, handle);
    const mac = pkcs11.C_Sign(session, Buffer.from(HMAC_KCV_MESSAGE), Buffer.alloc(32));
    try {
      return kcvFromBlock(mac);
    } finally {
      mac.fill(0);
    }
  }
  const block = encryptZeroBlock(pkcs11, session, handle, algorithm === 'AES');
  try {
    return kcvFromBlock(block);
  } finally {
    block.fill(0);
  }
}

/** DER prefix of a P-256 SubjectPublicKeyInfo, up to the 65-byte uncompressed point. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * The SubjectPublicKeyInfo (DER) of an EC P-256 public key object, from its CKA_EC_POINT (a DER
 * OCTET STRING holding the uncompressed point, PKCS#11 v2.40 §2.3.3; the bare point is accepted).
 */
export function publicKeySpki(pkcs11: PKCS11, session: Handle, publicKey: Handle): Buffer {
  const [attribute] = pkcs11.C_GetAttributeValue(session, publicKey, [
    { type: pkcs11js.CKA_EC_POINT },
  ]);
  const raw = attribute.value;
  const point =
    raw.length === 67 && raw[0] === 0x04 && raw[1] === 0x41
      ? raw.subarray(2)
      : raw.length === 65
        ? raw
        : undefined;
  if (point === undefined || point[0] !== 0x04) {
    throw new HsmError('UNAVAILABLE', 'public key: the token returned an unexpected EC point');
  }
  return Buffer.concat([P256_SPKI_PREFIX, point]);
}

/** SPKI DER -> PEM, through node:crypto (which also validates the point). */
export function spkiToPem(spki: Buffer): string {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
