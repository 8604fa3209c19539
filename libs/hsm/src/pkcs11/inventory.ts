import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { KeyInfo } from '../key-custody.port';
import type { InventoryEntry, TokenKeyAttributes, TokenKeyType } from '../token-inventory';
import { describeObject, type FoundKey, findLabelled, findObjects, shareLabel } from './objects';

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

/**
 * Every key object of the adapter in the token (secret keys and EC private keys carrying its
 * CKA_ID descriptor), with class, key type, attributes and, for DKGA02 keys, whether the helper
 * objects are present. `describe` gives the key's port description (it computes the check value
 * in the token). Sorted by label.
 */
export function readInventory(
  pkcs11: PKCS11,
  session: Handle,
  describe: (label: string, key: FoundKey) => KeyInfo,
): InventoryEntry[] {
  const entries: InventoryEntry[] = [];
  for (const objectClass of [pkcs11js.CKO_SECRET_KEY, pkcs11js.CKO_PRIVATE_KEY]) {
    const handles = findObjects(pkcs11, session, [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_CLASS, value: objectClass },
    ]);
    for (const handle of handles) {
      const found = describeObject(pkcs11, session, handle);
      if (found === undefined) continue;
      const [labelAttribute, typeAttribute] = pkcs11.C_GetAttributeValue(session, handle, [
        { type: pkcs11js.CKA_LABEL },
        { type: pkcs11js.CKA_KEY_TYPE },
      ]);
      const label = labelAttribute.value.toString('utf8');
      const attributes = Object.fromEntries(
        BOOLEAN_ATTRIBUTES.map(([name, type]) => [name, flag(pkcs11, session, handle, type)]),
      ) as unknown as TokenKeyAttributes;
      const info = describe(label, found);
      entries.push({
        ...info,
        objectClass: objectClass === pkcs11js.CKO_SECRET_KEY ? 'secret-key' : 'private-key',
        keyType: KEY_TYPES.get(typeAttribute.value.readUInt32LE(0)) ?? 'OTHER',
        attributes,
        ...(info.algorithm === 'DES' ? { dkga02Share: hasShare(pkcs11, session, label) } : {}),
      });
    }
  }
  return entries.sort((a, b) => a.label.localeCompare(b.label));
}

/** Whether both helper objects of DKGA02 vending key `label` (AES key, data object) exist. */
function hasShare(pkcs11: PKCS11, session: Handle, label: string): boolean {
  return (
    findLabelled(pkcs11, session, shareLabel(label), pkcs11js.CKO_SECRET_KEY).length > 0 &&
    findLabelled(pkcs11, session, shareLabel(label), pkcs11js.CKO_DATA).length > 0
  );
}
