import { createPublicKey, createVerify } from 'node:crypto';
import { bytesToHex, luhnCheckDigit, parseDerivationInput } from '@sts/core';
import { Pkcs11KeyCustody } from '@sts/hsm';
import { expectHsmError, uniqueLabel } from './key-custody.contract';
import { createNssToken } from './support/nss-token';

/**
 * The PKCS#11 adapter against a second implementation: NSS's software token (libsoftokn3.so
 * from Debian's libnss3), a fresh database for this file, opened with C_Initialize library
 * parameters. What NSS supports of the contract: the self-test with RFC 5649 as
 * CKM_AES_KEY_WRAP_KWP, generated keys that stay sensitive and non-extractable, DKGA04 in the
 * token, wrapped export and audit signatures. NSS stores no CKO_DATA token objects, which
 * ceremony components and the DKGA02 share are (docs/hsm.md): those are refused, never done
 * in software.
 */
const token = createNssToken();
let custody: Pkcs11KeyCustody;

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

  it('reports every mechanism in the token and data objects refused, naming what follows', async () => {
    const capabilities = await custody.capabilities();
    expect(capabilities.filter((c) => c.outcome === 'refused')).toEqual([
      expect.objectContaining({
        mechanism: 'token data objects (CKO_DATA)',
        refused: expect.stringContaining('key ceremonies') as unknown,
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

  it('refuses a ceremony component (NSS keeps no data objects) and stores nothing', async () => {
    const ceremony = uniqueLabel('ceremony');
    await expect(
      custody.storeComponent(ceremony, 1, 'AES', Buffer.alloc(16, 7)),
    ).rejects.toMatchObject({ name: 'HsmError', pkcs11Code: 'CKR_ATTRIBUTE_VALUE_INVALID' });
    const labels = (await custody.listKeys()).map((k) => k.label);
    expect(labels.some((l) => l.includes(ceremony))).toBe(false);
  });
});
