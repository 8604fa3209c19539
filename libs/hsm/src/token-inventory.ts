import type { KeyAlgorithm, KeyInfo, KeyUsage } from './key-custody.port';

/**
 * The token inventory: every key object the key-custody port manages, with the attributes that
 * decide what the key can do. A restore of the token (or of the database) is checked against it
 * (`verify-custody`, docs/operations.md). Never carries key bytes.
 */

/** PKCS#11 object class of a key. */
export type TokenKeyClass = 'secret-key' | 'private-key';

/** PKCS#11 key type (CKK_*) as the token reports it. */
export type TokenKeyType = 'DES2' | 'GENERIC_SECRET' | 'AES' | 'EC' | 'OTHER';

/** The boolean attributes of a key object that fix its protection and its usage. */
export interface TokenKeyAttributes {
  readonly token: boolean;
  readonly private: boolean;
  readonly modifiable: boolean;
  readonly sensitive: boolean;
  readonly extractable: boolean;
  readonly encrypt: boolean;
  readonly decrypt: boolean;
  readonly sign: boolean;
  readonly verify: boolean;
  readonly wrap: boolean;
  readonly unwrap: boolean;
  readonly derive: boolean;
}

/** One key object of the inventory. */
export interface InventoryEntry extends KeyInfo {
  readonly objectClass: TokenKeyClass;
  readonly keyType: TokenKeyType;
  readonly attributes: TokenKeyAttributes;
  /**
   * DKGA02 (DES) vending keys only: whether the token holds the helper objects its derivation
   * needs (ADR 0002). Absent for every other key.
   */
  readonly dkga02Share?: boolean;
}

/** The class, type and attributes the port gives a key of this algorithm and usage. */
export interface ExpectedKeyShape {
  readonly objectClass: TokenKeyClass;
  readonly keyType: TokenKeyType;
  readonly attributes: TokenKeyAttributes;
}

const PROTECTED = {
  token: true,
  private: true,
  modifiable: false,
  sensitive: true,
  extractable: false,
  decrypt: false,
  verify: false,
  derive: false,
} as const;

/** The shape the port creates for a key of `algorithm` and `usage` (docs/hsm.md). */
export function expectedKeyShape(algorithm: KeyAlgorithm, usage: KeyUsage): ExpectedKeyShape {
  const uses = { encrypt: false, sign: false, wrap: false, unwrap: false };
  switch (algorithm) {
    case 'DES':
      return {
        objectClass: 'secret-key',
        keyType: 'DES2',
        attributes: { ...PROTECTED, ...uses, encrypt: true },
      };
    case 'HMAC':
      return {
        objectClass: 'secret-key',
        keyType: 'GENERIC_SECRET',
        attributes: { ...PROTECTED, ...uses, sign: true },
      };
    case 'AES':
      return {
        objectClass: 'secret-key',
        keyType: 'AES',
        attributes: {
          ...PROTECTED,
          ...uses,
          encrypt: true,
          wrap: usage === 'WRAP',
          unwrap: usage === 'UNWRAP',
        },
      };
    case 'EC_P256':
      return {
        objectClass: 'private-key',
        keyType: 'EC',
        attributes: { ...PROTECTED, ...uses, sign: true },
      };
  }
}

/**
 * How `entry` departs from the shape the port gives its algorithm and usage, one line per
 * difference (empty: as created). A DKGA02 key without its helper objects is a difference.
 */
export function shapeProblems(entry: InventoryEntry): string[] {
  const expected = expectedKeyShape(entry.algorithm, entry.usage);
  const problems: string[] = [];
  if (entry.objectClass !== expected.objectClass) {
    problems.push(`object class is ${entry.objectClass}, expected ${expected.objectClass}`);
  }
  if (entry.keyType !== expected.keyType) {
    problems.push(`key type is ${entry.keyType}, expected ${expected.keyType}`);
  }
  for (const name of Object.keys(expected.attributes) as (keyof TokenKeyAttributes)[]) {
    if (entry.attributes[name] !== expected.attributes[name]) {
      problems.push(
        `CKA_${name.toUpperCase()} is ${entry.attributes[name]}, expected ${expected.attributes[name]}`,
      );
    }
  }
  if (entry.algorithm === 'DES' && entry.usage === 'DERIVE' && entry.dkga02Share !== true) {
    problems.push('the DKGA02 helper objects are missing');
  }
  return problems;
}
