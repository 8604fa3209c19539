import { secretKeyCheckValue } from '@sts/hsm';

/**
 * DEVELOPMENT-ONLY key material for the e2e suites. These values are public: the leak tests
 * search every response, log line and database dump for them, so none of them (nor any
 * combination) may be a degenerate pattern such as all-ones that occurs in files by itself.
 */
export const DEV_COMPONENTS = {
  des: ['0123456789abcdef', '2f1e3d4c5b6a7988', '5a3c9e1f7b2d4e68'],
  des2: ['13579bdf02468ace', '2468ace013579bdf'],
  hmac: [
    '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
    'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100',
  ],
  aes: ['000102030405060708090a0b0c0d0e0f', '0f0e0d0c0b0a09080706050403020100'],
} as const;

export function xorHex(parts: readonly string[]): string {
  const out = Buffer.alloc(parts[0].length / 2);
  for (const p of parts) {
    const b = Buffer.from(p, 'hex');
    for (let i = 0; i < out.length; i++) out[i] ^= b[i];
  }
  return out.toString('hex');
}

export function kcvOf(algorithm: 'DES' | 'HMAC' | 'AES', hex: string): string {
  return secretKeyCheckValue(algorithm, Buffer.from(hex, 'hex'));
}

/** Every secret value the suites use: components and the keys they combine to. */
export function allDevSecrets(): string[] {
  const sets = [
    DEV_COMPONENTS.des,
    DEV_COMPONENTS.des.slice(0, 2),
    DEV_COMPONENTS.des2,
    DEV_COMPONENTS.hmac,
    DEV_COMPONENTS.aes,
  ];
  return [...new Set([...sets.flat(), ...sets.map((s) => xorHex(s))])];
}
