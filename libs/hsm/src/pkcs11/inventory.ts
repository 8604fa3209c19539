import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { KeyInfo } from '../key-custody.port';
import type { InventoryEntry, TokenKeyAttributes, TokenKeyType } from '../token-inventory';
import { isSecretBlobId } from './blob-objects';
import { describeObject, type FoundKey, findObjects, shareLabel } from './objects';

/** CKK_* values as the inventory names them. */
const KEY_TYPES = new Map<number, TokenKeyType>([
  [pkcs11js.CKK_DES2, 'DES2'],
  [pkcs11js.CKK_GENERIC_SECRET, 'GENERIC_SECRET'],
  [pkcs11js.CKK_AES, 'AES'],
  [pkcs11js.CKK_EC, 'EC'],
]);

/** The attributes read for every key, in the order of {@link TokenKeyAttributes}. */
const BOOLEAN_ATTRIBUTES: readonly [keyof TokenKeyAttributes, number][] = [
  ['token', pkcs11js.CKA_TOKEN],
  ['private', pkcs11js.CKA_PRIVATE],
  ['modifiable', pkcs11js.CKA_MODIFIABLE],
  ['sensitive', pkcs11js.CKA_SENSITIVE],
  ['extractable', pkcs11js.CKA_EXTRACTABLE],
  ['encrypt', pkcs11js.CKA_ENCRYPT],
  ['decrypt', pkcs11js.CKA_DECRYPT],
  ['sign', pkcs11js.CKA_SIGN],
  ['verify', pkcs11js.CKA_VERIFY],
  ['wrap', pkcs11js.CKA_WRAP],
  ['unwrap', pkcs11js.CKA_UNWRAP],
  ['derive', pkcs11js.CKA_DERIVE],
];

/**
 * Reads one boolean attribute; an attribute the object's class does not have (CKA_ENCRYPT on an
 * EC private key) counts as false.
 */
function flag(pkcs11: PKCS11, session: Handle, handle: Handle, type: number): boolean {
  try {
    const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type }]);
    return attribute.value.length > 0 && attribute.value[0] !== 0;
  } catch (error) {
    if (
      error instanceof pkcs11js.Pkcs11Error &&
      error.code === pkcs11js.CKR_ATTRIBUTE_TYPE_INVALID
    ) {
      return false;
    }
    throw error;
  }
}

/** Label prefix of the DKGA02 helper objects (objects.ts `shareLabel`). */
const SHARE_PREFIX = shareLabel('');

/**
 * Every key object of the adapter in the token (secret keys and EC private keys carrying its
 * CKA_ID descriptor), with class, key type, attributes and, for DKGA02 keys, whether the helper
 * objects are present. `describe` gives the key's port description (it computes the check value
 * in the token). One pass over the token's objects per class, so the cost grows linearly with the
 * number of keys. Sorted by label.
 */
export function readInventory(
  pkcs11: PKCS11,
  session: Handle,
  describe: (label: string, key: FoundKey) => KeyInfo,
): InventoryEntry[] {
  const shareKeys = new Set<string>();
  // A share's encrypted value is a data object, or a secret key marked as a blob where the token
  // keeps no data objects (blob-objects.ts).
  const shareData = new Set<string>();
  const found: { label: string; key: FoundKey; objectClass: number }[] = [];
  for (const objectClass of [pkcs11js.CKO_SECRET_KEY, pkcs11js.CKO_PRIVATE_KEY]) {
    for (const handle of tokenObjects(pkcs11, session, objectClass)) {
      const label = labelOf(pkcs11, session, handle);
      if (label.startsWith(SHARE_PREFIX)) {
        const [id] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
        (isSecretBlobId(id.value) ? shareData : shareKeys).add(label);
        continue;
      }
      const key = describeObject(pkcs11, session, handle);
      if (key !== undefined) found.push({ label, key, objectClass });
    }
  }
  for (const handle of tokenObjects(pkcs11, session, pkcs11js.CKO_DATA)) {
    const label = labelOf(pkcs11, session, handle);
    if (label.startsWith(SHARE_PREFIX)) shareData.add(label);
  }
  return found
    .map(({ label, key, objectClass }): InventoryEntry => {
      const [typeAttribute] = pkcs11.C_GetAttributeValue(session, key.handle, [
        { type: pkcs11js.CKA_KEY_TYPE },
      ]);
      const attributes = Object.fromEntries(
        BOOLEAN_ATTRIBUTES.map(([name, type]) => [name, flag(pkcs11, session, key.handle, type)]),
      ) as unknown as TokenKeyAttributes;
      const info = describe(label, key);
      const share = shareLabel(label);
      return {
        ...info,
        objectClass: objectClass === pkcs11js.CKO_SECRET_KEY ? 'secret-key' : 'private-key',
        keyType: KEY_TYPES.get(typeAttribute.value.readUInt32LE(0)) ?? 'OTHER',
        attributes,
        ...(info.algorithm === 'DES'
          ? { dkga02Share: shareKeys.has(share) && shareData.has(share) }
          : {}),
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

function tokenObjects(pkcs11: PKCS11, session: Handle, objectClass: number): Handle[] {
  return findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_CLASS, value: objectClass },
  ]);
}

function labelOf(pkcs11: PKCS11, session: Handle, handle: Handle): string {
  const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }]);
  return attribute.value.toString('utf8');
}
