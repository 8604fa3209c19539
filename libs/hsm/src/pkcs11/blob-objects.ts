import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import { pkcs11CodeOf } from './errors';
import { dataObjectTemplate, findLabelled, isInternalId } from './objects';

/**
 * Encrypted blobs in the token (ceremony components, DKGA02 shares: `IV || AES-CBC-PAD(value)`
 * under an internal AES key beside them). Stored as private data objects where the token keeps
 * them. A token that refuses `CKO_DATA` token objects (NSS's softokn answers
 * CKR_ATTRIBUTE_VALUE_INVALID) gets the documented fallback: a private, read-only generic-secret
 * object generated in the token that allows no operation at all, whose CKA_ID carries
 * `sts-blob;<application>\n<blob>` (NSS refuses to read CKA_VALUE of any token secret key,
 * sensitive or not, so the ciphertext cannot be its value). Lookups find either form.
 */

/** CKA_ID prefix of blobs stored as generic-secret objects. */
const SECRET_BLOB_PREFIX = 'sts-blob;';
/** Separates the application name from the blob in such a CKA_ID. */
const SECRET_BLOB_SEPARATOR = 0x0a;

/** What refusing a CKO_DATA token object looks like. */
const DATA_REFUSED = new Set([
  'CKR_ATTRIBUTE_VALUE_INVALID',
  'CKR_ATTRIBUTE_TYPE_INVALID',
  'CKR_TEMPLATE_INCONSISTENT',
]);

/** Modules (pkcs11js bindings) seen to refuse data objects: they get the fallback at once. */
const refusesDataObjects = new WeakSet<PKCS11>();

/** A blob found in the token. */
export interface FoundBlob {
  readonly handle: Handle;
  readonly application: string;
  readonly value: Buffer;
}

/** Stores `value` under `label` with its application name; returns the object's handle. */
export function createBlob(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
  application: string,
  value: Buffer,
): Handle {
  if (!refusesDataObjects.has(pkcs11)) {
    try {
      return pkcs11.C_CreateObject(session, dataObjectTemplate(label, application, value));
    } catch (error) {
      if (!DATA_REFUSED.has(pkcs11CodeOf(error) ?? '')) throw error;
      refusesDataObjects.add(pkcs11);
    }
  }
  return pkcs11.C_GenerateKey(
    session,
    { mechanism: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN },
    secretBlobTemplate(label, application, value),
  );
}

/** The blob stored under `label` whose application name starts with `prefix`, if any. */
export function findBlob(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
  prefix: string,
): FoundBlob | undefined {
  for (const handle of findLabelled(pkcs11, session, label, pkcs11js.CKO_DATA)) {
    const [application, value] = pkcs11.C_GetAttributeValue(session, handle, [
      { type: pkcs11js.CKA_APPLICATION },
      { type: pkcs11js.CKA_VALUE },
    ]);
    const name = application.value.toString('ascii');
    if (name.startsWith(prefix)) return { handle, application: name, value: value.value };
  }
  for (const handle of findLabelled(pkcs11, session, label, pkcs11js.CKO_SECRET_KEY)) {
    const [id] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
    const separator = id.value.indexOf(SECRET_BLOB_SEPARATOR);
    if (separator < 0) continue;
    const tag = id.value.subarray(0, separator).toString('ascii');
    if (!tag.startsWith(SECRET_BLOB_PREFIX)) continue;
    const name = tag.slice(SECRET_BLOB_PREFIX.length);
    if (!name.startsWith(prefix)) continue;
    return { handle, application: name, value: Buffer.from(id.value.subarray(separator + 1)) };
  }
  return undefined;
}

/** Whether a secret key's CKA_ID marks it as a blob (the fallback form), not a key. */
export function isSecretBlobId(id: Buffer): boolean {
  const separator = id.indexOf(SECRET_BLOB_SEPARATOR);
  return (
    separator >= 0 && id.subarray(0, separator).toString('ascii').startsWith(SECRET_BLOB_PREFIX)
  );
}

/** The internal AES key stored under `label` (objects.ts `internalId`), if any. */
export function findInternalKey(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
): Handle | undefined {
  return findLabelled(pkcs11, session, label, pkcs11js.CKO_SECRET_KEY).find((handle) => {
    const [id] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
    return isInternalId(id.value);
  });
}

function secretBlobTemplate(label: string, application: string, value: Buffer): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_MODIFIABLE, value: false },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: false },
    { type: pkcs11js.CKA_DECRYPT, value: false },
    { type: pkcs11js.CKA_SIGN, value: false },
    { type: pkcs11js.CKA_VERIFY, value: false },
    { type: pkcs11js.CKA_WRAP, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: false },
    { type: pkcs11js.CKA_DERIVE, value: false },
    { type: pkcs11js.CKA_LABEL, value: label },
    {
      type: pkcs11js.CKA_ID,
      value: Buffer.concat([
        Buffer.from(SECRET_BLOB_PREFIX + application, 'ascii'),
        Buffer.of(SECRET_BLOB_SEPARATOR),
        value,
      ]),
    },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
  ];
}
