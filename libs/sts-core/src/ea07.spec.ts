import fc from 'fast-check';
import { Ea07Cipher } from './ea07';
import {
  IEC_SAMPLE_STA_TABLES,
  STANDARD_STA_TABLES,
  type StaTables,
  invertPermutation,
} from './ea07-tables';
import { bytes, transform } from './test-helpers';

describe('EA07 (STS-SPEC §8)', () => {
  const cipher = new Ea07Cipher(bytes('e653341f9d5bf36f'));

  it('encrypts the CTSA01 step 1 block (worked example §8.3)', () => {
    expect(transform((b) => cipher.encryptBlock(b), '05599863000119e6')).toBe('492083c0ae7ce455');
  });

  it('decrypts it back', () => {
    expect(transform((b) => cipher.decryptBlock(b), '492083c0ae7ce455')).toBe('05599863000119e6');
  });

  it('derived decryption tables equal the ones the spec lists', () => {
    expect(invertPermutation(STANDARD_STA_TABLES.sub2)).toEqual([
      12, 6, 2, 7, 13, 9, 5, 4, 1, 10, 14, 8, 0, 3, 15, 11,
    ]);
    expect(invertPermutation(STANDARD_STA_TABLES.sub1)).toEqual([
      9, 11, 6, 5, 12, 7, 14, 2, 13, 3, 1, 15, 4, 8, 0, 10,
    ]);
    expect(invertPermutation(STANDARD_STA_TABLES.perm)).toEqual([
      55, 54, 8, 25, 27, 47, 16, 26, 59, 14, 2, 51, 18, 46, 61, 52, 23, 53, 3, 37, 29, 5, 9, 42, 4,
      31, 63, 12, 45, 39, 43, 41, 28, 35, 57, 7, 17, 20, 21, 50, 48, 44, 1, 11, 6, 62, 38, 60, 40,
      36, 15, 32, 33, 22, 34, 0, 10, 56, 13, 58, 49, 19, 24, 30,
    ]);
  });

  it('takes the table set as a parameter: the IEC sample tables give the §8.4 example', () => {
    const sample = new Ea07Cipher(bytes('0abc12def3456789'), IEC_SAMPLE_STA_TABLES);
    expect(transform((b) => sample.encryptBlock(b), '0b19eb230100c207')).toBe('c45ed1619406df95');
    expect(transform((b) => sample.decryptBlock(b), 'c45ed1619406df95')).toBe('0b19eb230100c207');
  });

  it.each([
    ['a repeated entry', [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]],
    ['17 entries', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0]],
    ['an entry of 16', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]],
    ['a negative entry', [-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]],
    ['a fraction', [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]],
  ])('refuses a substitution table with %s', (_what, sub1) => {
    const broken: StaTables = { ...STANDARD_STA_TABLES, sub1 };
    expect(() => new Ea07Cipher(bytes('0abc12def3456789'), broken)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'tables' }),
    );
  });

  it('refuses a permutation table that is not one of 0..63, and checks every table', () => {
    const perm = [...STANDARD_STA_TABLES.perm];
    perm[0] = 64;
    for (const broken of [
      { ...STANDARD_STA_TABLES, perm },
      { ...STANDARD_STA_TABLES, sub2: [...STANDARD_STA_TABLES.sub2].reverse().slice(1) },
    ]) {
      expect(() => new Ea07Cipher(bytes('0abc12def3456789'), broken)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'tables' }),
      );
    }
  });

  it('refuses a key that is not 64 bits', () => {
    expect(() => new Ea07Cipher(bytes('e653341f9d5bf3'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'decoderKey' }),
    );
  });
});

/**
 * STS-SPEC §8.2 written out literally on BigInt, one bit at a time, as the reference the fused
 * byte tables of `Ea07Cipher` must agree with.
 */
const M64 = (1n << 64n) - 1n;
const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & M64;
const bit = (x: bigint, i: number) => (x >> BigInt(i)) & 1n;
const nibble = (x: bigint, n: number) => Number((x >> BigInt(4 * n)) & 15n);

interface Round {
  k: bigint;
  sel: number;
  substituted: bigint;
  permuted: bigint;
}

function encryptRounds(key: bigint, plain: bigint, t: StaTables): Round[] {
  let k = rotr(~key & M64, 12n);
  let d = plain;
  const rounds: Round[] = [];
  for (let r = 0; r < 16; r++) {
    let s = 0n;
    let sel = 0;
    for (let n = 0; n < 16; n++) {
      const use2 = bit(k, 4 * n + 3) === 1n;
      if (use2) sel |= 1 << n;
      s |= BigInt((use2 ? t.sub2 : t.sub1)[nibble(d, n)]) << BigInt(4 * n);
    }
    d = 0n;
    for (let i = 0; i < 64; i++) if (bit(s, i)) d |= 1n << BigInt(t.perm[i]);
    rounds.push({ k, sel, substituted: s, permuted: d });
    k = rotr(k, 63n); // ROTL64(k, 1)
  }
  return rounds;
}

function decryptRounds(key: bigint, cipherText: bigint, t: StaTables): Round[] {
  const dperm = invertPermutation(t.perm);
  const dsub1 = invertPermutation(t.sub2);
  const dsub2 = invertPermutation(t.sub1);
  let k = key;
  let d = cipherText;
  const rounds: Round[] = [];
  for (let r = 0; r < 16; r++) {
    let p = 0n;
    for (let i = 0; i < 64; i++) if (bit(d, i)) p |= 1n << BigInt(dperm[i]);
    d = 0n;
    let sel = 0;
    for (let n = 0; n < 16; n++) {
      const use2 = bit(k, 4 * n) === 1n;
      if (use2) sel |= 1 << n;
      d |= BigInt((use2 ? dsub2 : dsub1)[nibble(p, n)]) << BigInt(4 * n);
    }
    rounds.push({ k, sel, substituted: d, permuted: p });
    k = rotr(k, 1n);
  }
  return rounds;
}

const h64 = (x: bigint) => x.toString(16).padStart(16, '0');

describe('EA07 worked example, round by round (STS-SPEC §8.3)', () => {
  const K = 0xe653341f9d5bf36fn;
  const P = 0x05599863000119e6n;
  // round key, sel, after substitution, after permutation
  const table: readonly (readonly [string, string, string, string])[] = [
    ['c9019accbe062a40', 'cfc4', 'c6305b1dcceaa562', 'ad6f3656c623a094'],
    ['920335997c0c5481', '8352', '982b9261417dfe5c', 'f52cdb608d4e1f60'],
    ['24066b32f818a903', '04dc', 'b3748f2eb4ca8e2e', '23758c97c6ffc4a2'],
    ['480cd665f0315206', '5880', '7d56b40502bb4cf7', '3bc8bef811a1c76a'],
    ['9019accbe062a40c', '9f89', 'd14bfaeb8afa0529', '33b8e372f62d283e'],
    ['20335997c0c54819', '06a5', '991d6d37e2287b9a', 'a65b8dc85fdcab0c'],
    ['4066b32f818a9032', '09b8', 'f231b84b6b4091e4', 'c03cf30e5c32c43c'],
    ['80cd665f03152064', 'b100', '0ed0b9ea34974c94', '09114a3f711997e3'],
    ['019accbe062a40c9', '3f13', 'e08879de5aa505ad', '81d3624b74257c5d'],
    ['0335997c0c548192', '0d4a', 'da8912cf57733468', 'c578f377ac2409c9'],
    ['066b32f818a90324', '1370', '435bb933f027e040', '961f335552189a62'],
    ['0cd665f031520648', '6201', '018b996337ad0f22', '73194f41407918ed'],
    ['19accbe062a40c90', '7e26', '5d857e7ace30aba8', '8e16ebead2ec219d'],
    ['335997c0c5481920', '1a94', 'd6a1a1af47607808', 'cc79a9463c0e02a9'],
    ['66b32f818a903240', '26e0', '4430f572d0c6e7f0', '8d37721913ebb224'],
    ['cd665f0315206480', 'c402', 'b49552a0a961172c', '492083c0ae7ce455'],
  ];

  it('NOT K is 19accbe062a40c90 and the first round key is ROTR64(NOT K, 12)', () => {
    expect(h64(~K & M64)).toBe('19accbe062a40c90');
    expect(h64(encryptRounds(K, P, STANDARD_STA_TABLES)[0].k)).toBe('c9019accbe062a40');
  });

  it.each(table.map((row, i) => [i + 1, ...row] as const))(
    'round %i: key %s, sel %s, substitution %s, permutation %s',
    (round, k, sel, substituted, permuted) => {
      const r = encryptRounds(K, P, STANDARD_STA_TABLES)[round - 1];
      expect([h64(r.k), r.sel.toString(16).padStart(4, '0'), h64(r.substituted)]).toEqual([
        k,
        sel,
        substituted,
      ]);
      expect(h64(r.permuted)).toBe(permuted);
    },
  );

  it('decryption check: round 1 and round 16 (key, sel, states) and the output', () => {
    const d = decryptRounds(K, 0x492083c0ae7ce455n, STANDARD_STA_TABLES);
    expect([h64(d[0].k), d[0].sel.toString(16), h64(d[0].permuted), h64(d[0].substituted)]).toEqual(
      ['e653341f9d5bf36f', '3bfd', 'b49552a0a961172c', '8d37721913ebb224'],
    );
    expect(h64(d[15].k)).toBe('e6dfcca6683f3ab7');
    expect(h64(d[15].substituted)).toBe('05599863000119e6');
  });

  it('after decryption round j the state equals the encryption state after round 16 - j', () => {
    const enc = encryptRounds(K, P, STANDARD_STA_TABLES);
    const dec = decryptRounds(K, enc[15].permuted, STANDARD_STA_TABLES);
    for (let j = 1; j < 16; j++)
      expect(h64(dec[j - 1].substituted)).toBe(h64(enc[15 - j].permuted));
    for (let j = 1; j <= 16; j++) {
      expect(dec[j - 1].sel).toBe(~enc[16 - j].sel & 0xffff); // complement selector bits
    }
  });
});

describe('EA07 fused tables agree with the literal algorithm (§8.2)', () => {
  const u64 = fc.bigInt({ min: 0n, max: M64 });
  it.each([
    ['production', STANDARD_STA_TABLES],
    ['IEC sample', IEC_SAMPLE_STA_TABLES],
  ] as const)('%s tables, random keys and blocks, both directions', (_name, tables) => {
    fc.assert(
      fc.property(u64, u64, (k, p) => {
        const cipher = new Ea07Cipher(bytes(h64(k)), tables);
        const c = encryptRounds(k, p, tables)[15].permuted;
        expect(transform((b) => cipher.encryptBlock(b), h64(p))).toBe(h64(c));
        expect(transform((b) => cipher.decryptBlock(b), h64(c))).toBe(h64(p));
        expect(h64(decryptRounds(k, c, tables)[15].substituted)).toBe(h64(p));
      }),
      { numRuns: 200 },
    );
  });
});
