import { expectedKeyShape, type InventoryEntry, shapeProblems } from './token-inventory';

function entry(overrides: Partial<InventoryEntry> = {}): InventoryEntry {
  const shape = expectedKeyShape('DES', 'DERIVE');
  return {
    label: 'vk',
    algorithm: 'DES',
    usage: 'DERIVE',
    lengthBytes: 8,
    kcv: 'abcdef',
    sensitive: true,
    extractable: false,
    objectClass: shape.objectClass,
    keyType: shape.keyType,
    attributes: shape.attributes,
    dkga02Share: true,
    ...overrides,
  };
}

describe('expectedKeyShape', () => {
  it('gives each algorithm and usage the one capability it needs and no other', () => {
    expect(expectedKeyShape('DES', 'DERIVE')).toMatchObject({
      objectClass: 'secret-key',
      keyType: 'DES2',
      attributes: { encrypt: true, sign: false, wrap: false, unwrap: false },
    });
    expect(expectedKeyShape('HMAC', 'DERIVE')).toMatchObject({
      keyType: 'GENERIC_SECRET',
      attributes: { encrypt: false, sign: true },
    });
    expect(expectedKeyShape('AES', 'WRAP').attributes).toMatchObject({ wrap: true, unwrap: false });
    expect(expectedKeyShape('AES', 'UNWRAP').attributes).toMatchObject({
      wrap: false,
      unwrap: true,
    });
    expect(expectedKeyShape('EC_P256', 'SIGN')).toMatchObject({
      objectClass: 'private-key',
      keyType: 'EC',
      attributes: { sign: true, encrypt: false },
    });
    for (const [algorithm, usage] of [
      ['DES', 'DERIVE'],
      ['HMAC', 'DERIVE'],
      ['AES', 'WRAP'],
      ['AES', 'UNWRAP'],
      ['EC_P256', 'SIGN'],
    ] as const) {
      expect(expectedKeyShape(algorithm, usage).attributes).toMatchObject({
        token: true,
        private: true,
        modifiable: false,
        sensitive: true,
        extractable: false,
        decrypt: false,
        verify: false,
        derive: false,
      });
    }
  });
});

describe('shapeProblems', () => {
  it('finds nothing wrong with a key as the port creates it', () => {
    expect(shapeProblems(entry())).toEqual([]);
  });

  it('names every attribute that differs, with both values', () => {
    const shape = expectedKeyShape('DES', 'DERIVE');
    expect(
      shapeProblems(
        entry({ attributes: { ...shape.attributes, extractable: true, modifiable: true } }),
      ),
    ).toEqual([
      'CKA_MODIFIABLE is true, expected false',
      'CKA_EXTRACTABLE is true, expected false',
    ]);
  });

  it('names a wrong class and key type', () => {
    expect(shapeProblems(entry({ objectClass: 'private-key', keyType: 'AES' }))).toEqual([
      'object class is private-key, expected secret-key',
      'key type is AES, expected DES2',
    ]);
  });

  it('requires the DKGA02 helper objects of a DES vending key, and only of one', () => {
    expect(shapeProblems(entry({ dkga02Share: false }))).toEqual([
      'the DKGA02 helper objects are missing',
    ]);
    const hmac = expectedKeyShape('HMAC', 'DERIVE');
    expect(
      shapeProblems(
        entry({
          algorithm: 'HMAC',
          keyType: hmac.keyType,
          attributes: hmac.attributes,
          dkga02Share: undefined,
        }),
      ),
    ).toEqual([]);
  });
});
