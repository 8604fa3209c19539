import { createPublicKey, createVerify } from 'node:crypto';
import { bytesToHex, luhnCheckDigit, parseDerivationInput } from '@sts/core';
import { Pkcs11KeyCustody, secretKeyCheckValue } from '@sts/hsm';
import { expectHsmError, keyCustodyContract, uniqueLabel } from './key-custody.contract';
import { createNssToken } from './support/nss-token';

/**
 * The PKCS#11 adapter against a second implementation: NSS's software token (libsoftokn3.so
 * from Debian's libnss3), a fresh database for this file, opened with C_Initialize library
 * parameters: the same contract as SoftHSM, then what differs on NSS: RFC 5649 as
 * CKM_AES_KEY_WRAP_KWP, no CKO_DATA token objects (ceremony components and DKGA02 shares take
 * the fallback of blob-objects.ts), and a token that would wrap a non-extractable key.
 */
const token = createNssToken();
let custody: Pkcs11KeyCustody;

keyCustodyContract('pkcs11 (NSS softokn)', () => Pkcs11KeyCustody.open(token.config));

beforeAll(async () => {
  custody = await Pkcs11KeyCustody.open(token.config);
});
afterAll(async () => {
  await custody.close();
  token.remove();
});

function dkga04Input(n: number) {
  const body = String(n).padStart(10, '0');
  return parseDerivationInput({
    dkga: '04',
    iin: '600727',
    drn: body + String(luhnCheckDigit(body)),
    keyType: 2,
    sgc: '123457',
    tariffIndex: '01',
    krn: 1,
    baseDate: 1993,
    ea: '11',
  });
}

describe('Pkcs11KeyCustody on NSS softokn', () => {
  it('passes its self-test, with RFC 5649 as CKM_AES_KEY_WRAP_KWP', () => {
    const report = custody.startupSelfTest!;
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.token).toMatchObject({ label: 'NSS Certificate DB' });
    expect(report.checks).toContainEqual({ name: 'mechanism:CKM_AES_KEY_WRAP_KWP', ok: true });
  });

  it('reports every mechanism in the token and the fallback for data objects', async () => {
    const capabilities = await custody.capabilities();
    expect(capabilities.filter((c) => c.outcome === 'refused')).toEqual([]);
    expect(capabilities.filter((c) => c.outcome === 'fallback')).toEqual([
      expect.objectContaining({
        mechanism: 'token data objects (CKO_DATA)',
        fallback: expect.stringContaining('CKR_ATTRIBUTE_VALUE_INVALID') as unknown,
      }),
    ]);
    expect(capabilities).toContainEqual(
      expect.objectContaining({
        mechanism: 'CKM_AES_KEY_WRAP_KWP',
        offeredAs: 'CKM_AES_KEY_WRAP_KWP',
      }),
    );
  });

  it('generates HMAC and AES keys that stay sensitive and non-extractable', async () => {
    for (const spec of [
      { label: uniqueLabel('vk'), algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 32 },
      { label: uniqueLabel('tk'), algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 },
    ] as const) {
      const info = await custody.generateKey(spec);
      expect(info).toMatchObject({ ...spec, sensitive: true, extractable: false });
      expect(info.kcv).toMatch(/^[0-9a-f]{6}$/);
    }
  });

  it('derives DKGA04 keys in the token, a batch equal to single derivations', async () => {
    const label = uniqueLabel('vk');
    await custody.generateKey({ label, algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 32 });
    const inputs = Array.from({ length: 12 }, (_, i) => dkga04Input(i));
    const batch = (await custody.deriveDecoderKeys(label, inputs)).map((k) => bytesToHex(k));
    const singles = await Promise.all(inputs.map((i) => custody.deriveDecoderKey(label, i)));
    expect(singles.map((k) => bytesToHex(k))).toEqual(batch);
    expect(new Set(batch).size).toBe(inputs.length);
  });

  it('wraps a derived key for export and refuses to wrap out a stored key', async () => {
    const vk = uniqueLabel('vk');
    const tk = uniqueLabel('tk');
    await custody.generateKey({ label: vk, algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 32 });
    await custody.generateKey({ label: tk, algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 });
    const exported = await custody.exportDecoderKey(vk, dkga04Input(1), tk);
    expect(exported.wrapped).toHaveLength(24);
    await expectHsmError(custody.exportKey(vk, tk), 'NOT_PERMITTED');
  });

  it('signs audit checkpoints that node:crypto verifies offline', async () => {
    const label = uniqueLabel('audit');
    const { publicKeyPem } = await custody.generateSigningKey(label);
    const data = Buffer.from('checkpoint 42');
    const signature = Buffer.from(await custody.sign(label, data));
    const der = createPublicKey(publicKeyPem);
    const verifier = createVerify('sha256').update(data);
    expect(verifier.verify({ key: der, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('keeps ceremony components as secret-key objects, and they combine into the key', async () => {
    const ceremony = uniqueLabel('ceremony');
    const label = uniqueLabel('vk');
    const parts = [Buffer.alloc(8, 0x11), Buffer.alloc(8, 0x22)];
    for (const [i, part] of parts.entries()) {
      await custody.storeComponent(ceremony, i + 1, 'DES', part);
    }
    const value = Buffer.alloc(8, 0x33);
    const info = await custody.completeCeremony(
      ceremony,
      2,
      { label, algorithm: 'DES', usage: 'DERIVE' },
      secretKeyCheckValue('DES', value),
    );
    expect(info).toMatchObject({ label, algorithm: 'DES', sensitive: true, extractable: false });
    expect(info.kcv).toBe(secretKeyCheckValue('DES', value));
  });
});
