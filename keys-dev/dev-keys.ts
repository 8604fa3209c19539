import { randomBytes } from 'node:crypto';
import { type KeyCustody, type KeySpec, HsmError, secretKeyCheckValue } from '@sts/hsm';

/**
 * DEVELOPMENT ONLY. Keys whose values are public: the vending keys of the published STS
 * conformance vectors (STS-SPEC §12.2, §12.3) and a transport key and key-encryption key with
 * trivial values, so that a developer can check derived keys and unwrap exports by hand.
 * Anything encrypted under these keys is readable by anyone. Never load them into a token
 * that holds real keys.
 */
export const DEV_KEYS: readonly (KeySpec & {
  readonly algorithm: 'DES' | 'HMAC' | 'AES';
  readonly hex: string;
  readonly source: string;
})[] = [
  {
    label: 'dev-vk02-abab',
    algorithm: 'DES',
    usage: 'DERIVE',
    hex: 'abababababababab',
    source: 'STS-SPEC §12.2 conformance VUDK (DKGA02)',
  },
  {
    label: 'dev-vk02-9494',
    algorithm: 'DES',
    usage: 'DERIVE',
    hex: '9494949494949494',
    source: 'STS-SPEC §12.2 conformance VUDK, SGC 888888 (DKGA02)',
  },
  {
    label: 'dev-vk04-abab',
    algorithm: 'HMAC',
    usage: 'DERIVE',
    hex: 'abababababababab949494949494949401234567',
    source: 'STS-SPEC §12.3 published VUDK (DKGA04)',
  },
  {
    label: 'dev-transport',
    algorithm: 'AES',
    usage: 'WRAP',
    hex: '000102030405060708090a0b0c0d0e0f',
    source: 'trivial value, for unwrapping exports by hand',
  },
  {
    label: 'dev-kek',
    algorithm: 'AES',
    usage: 'UNWRAP',
    hex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    source: 'trivial value, for preparing wrapped imports by hand',
  },
];

/** Label of the development audit signing key (generated in the token). */
export const DEV_AUDIT_KEY = 'dev-audit';

/** What `loadDevKeys` did with one key. */
export interface DevKeyResult {
  readonly label: string;
  readonly kcv: string;
  readonly loaded: boolean;
}

/**
 * Loads every development key that is not in the token yet, through the port's two-component
 * ceremony (the only way a known value enters a token), and generates the audit key.
 * Re-runnable: existing labels are left alone.
 */
export async function loadDevKeys(custody: KeyCustody): Promise<DevKeyResult[]> {
  const results: DevKeyResult[] = [];
  for (const key of DEV_KEYS) {
    const existing = await describeIfPresent(custody, key.label);
    if (existing !== undefined) {
      results.push({ label: key.label, kcv: existing, loaded: false });
      continue;
    }
    const value = Buffer.from(key.hex, 'hex');
    const first = randomBytes(value.length);
    const second = Buffer.from(value.map((b, i) => b ^ first[i]));
    try {
      const ceremony = `dev-load-${key.label}`;
      await custody.abortCeremony(ceremony);
      await custody.storeComponent(ceremony, 1, key.algorithm, first);
      await custody.storeComponent(ceremony, 2, key.algorithm, second);
      const info = await custody.completeCeremony(
        ceremony,
        2,
        { label: key.label, algorithm: key.algorithm, usage: key.usage },
        secretKeyCheckValue(key.algorithm, value),
      );
      results.push({ label: key.label, kcv: info.kcv, loaded: true });
    } finally {
      value.fill(0);
      first.fill(0);
      second.fill(0);
    }
  }
  const audit = await describeIfPresent(custody, DEV_AUDIT_KEY);
  if (audit === undefined) {
    const info = await custody.generateSigningKey(DEV_AUDIT_KEY);
    results.push({ label: DEV_AUDIT_KEY, kcv: info.kcv, loaded: true });
  } else {
    results.push({ label: DEV_AUDIT_KEY, kcv: audit, loaded: false });
  }
  return results;
}

async function describeIfPresent(custody: KeyCustody, label: string): Promise<string | undefined> {
  try {
    return (await custody.describeKey(label)).kcv;
  } catch (error) {
    if (error instanceof HsmError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
