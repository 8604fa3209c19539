import { createHash, createPublicKey, randomBytes, verify as verifySignature } from 'node:crypto';
import {
  bytesToHex,
  deriveDecoderKey as softwareDerive,
  desEncryptBlock,
  hexToBytes,
  parseDerivationInput,
} from '@sts/core';
import {
  type HsmErrorCode,
  type KeyCustody,
  type KeyInfo,
  type KeySpec,
  SELF_TEST_CHECKS,
  aesKeyUnwrapPad,
  aesKeyWrapPad,
  decoderKeyCheckValue,
  secretKeyCheckValue,
  shapeProblems,
} from '@sts/hsm';
import { derivationVectors } from './vectors';

/**
 * The one behavioural contract of `KeyCustody`: run against the
 * in-memory adapter in the unit tier and against a real SoftHSM token in the integration tier.
 * Assertions are on error codes, never on message text.
 */

/** Opens a fresh adapter; `close` of the adapter is called by the suite. */
export type CustodyFactory = () => Promise<KeyCustody>;

let counter = 0;
/** A label no other test in this run uses. */
export function uniqueLabel(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Expects `promise` to reject with an `HsmError` whose code is `code`. */
export async function expectHsmError(promise: Promise<unknown>, code: HsmErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'HsmError', code });
}

/**
 * Loads a key whose value the test knows through a two-component ceremony: component 1 random,
 * component 2 = value XOR component 1. The only way to put a known value into the token.
 */
export async function loadKnownKey(
  custody: KeyCustody,
  spec: KeySpec & { algorithm: 'DES' | 'AES' | 'HMAC' },
  value: Uint8Array,
): Promise<KeyInfo> {
  const ceremony = uniqueLabel('ceremony');
  const first = randomBytes(value.length);
  const second = Buffer.from(value.map((b, i) => b ^ first[i]));
  await custody.storeComponent(ceremony, 1, spec.algorithm, first);
  await custody.storeComponent(ceremony, 2, spec.algorithm, second);
  return custody.completeCeremony(ceremony, 2, spec, secretKeyCheckValue(spec.algorithm, value));
}

const DES_VK = hexToBytes('vk', 'abababababababab');
const HMAC_VK = hexToBytes('vk', 'abababababababab949494949494949401234567');
const DKGA02_INPUT = parseDerivationInput({
  dkga: '02',
  iin: '600727',
  drn: '00000000000',
  keyType: 2,
  sgc: '123456',
  tariffIndex: '01',
  krn: 1,
});
const DKGA04_INPUT = parseDerivationInput({
  dkga: '04',
  iin: '600727',
  drn: '00000000000',
  keyType: 2,
  sgc: '123457',
  tariffIndex: '01',
  krn: 1,
  baseDate: 1993,
  ea: '11',
});

/** Registers the contract suite for one adapter. */
export function keyCustodyContract(name: string, factory: CustodyFactory): void {
  describe(`KeyCustody contract: ${name}`, () => {
    let custody: KeyCustody;

    beforeAll(async () => {
      custody = await factory();
    });

    afterAll(async () => {
      await custody.close();
    });

    describe('self-test', () => {
      it('reports every known answer as passed', async () => {
        const report = await custody.selfTest();
        expect(report.ok).toBe(true);
        expect(report.implementation).toBe(custody.implementation);
        const names = report.checks.map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(Object.values(SELF_TEST_CHECKS)));
        expect(report.checks.every((c) => c.ok)).toBe(true);
        expect(Number.isNaN(Date.parse(report.at))).toBe(false);
      });
    });

    describe('inventory', () => {
      it('lists every key with the class, type, attributes and check value it was made with', async () => {
        const des = await custody.generateKey({
          label: uniqueLabel('inv-des'),
          algorithm: 'DES',
          usage: 'DERIVE',
        });
        const hmac = await custody.generateKey({
          label: uniqueLabel('inv-hmac'),
          algorithm: 'HMAC',
          usage: 'DERIVE',
          lengthBytes: 20,
        });
        const kek = await custody.generateKey({
          label: uniqueLabel('inv-kek'),
          algorithm: 'AES',
          usage: 'UNWRAP',
          lengthBytes: 32,
        });
        const transport = await custody.generateKey({
          label: uniqueLabel('inv-tk'),
          algorithm: 'AES',
          usage: 'WRAP',
          lengthBytes: 16,
        });
        const signing = await custody.generateSigningKey(uniqueLabel('inv-audit'));
        const inventory = await custody.inventory();
        const byLabel = new Map(inventory.map((e) => [e.label, e]));
        for (const info of [des, hmac, kek, transport, signing]) {
          const entry = byLabel.get(info.label);
          expect(entry).toMatchObject({
            kcv: info.kcv,
            algorithm: info.algorithm,
            usage: info.usage,
            lengthBytes: info.lengthBytes,
          });
          expect(shapeProblems(entry!)).toEqual([]);
        }
        expect(byLabel.get(des.label)).toMatchObject({ keyType: 'DES2', dkga02Share: true });
        expect(byLabel.get(hmac.label)).toMatchObject({ keyType: 'GENERIC_SECRET' });
        expect(byLabel.get(hmac.label)?.dkga02Share).toBeUndefined();
        expect(byLabel.get(kek.label)?.attributes).toMatchObject({ unwrap: true, wrap: false });
        expect(byLabel.get(transport.label)?.attributes).toMatchObject({
          unwrap: false,
          wrap: true,
        });
        expect(byLabel.get(signing.label)).toMatchObject({
          objectClass: 'private-key',
          keyType: 'EC',
        });
        expect(inventory.map((e) => e.label)).toEqual(
          (await custody.listKeys()).map((k) => k.label),
        );
        await custody.destroyKey(des.label);
        expect((await custody.inventory()).some((e) => e.label === des.label)).toBe(false);
      });
    });

    describe('generation, description, destruction', () => {
      it.each([
        { algorithm: 'AES', usage: 'UNWRAP', lengthBytes: 32 },
        { algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 },
        { algorithm: 'DES', usage: 'DERIVE' },
        { algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 20 },
        { algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 32 },
      ] as const)('generates a sensitive, non-extractable $algorithm $usage key', async (spec) => {
        const label = uniqueLabel('gen');
        const info = await custody.generateKey({ label, ...spec });
        expect(info).toMatchObject({
          label,
          algorithm: spec.algorithm,
          usage: spec.usage,
          lengthBytes: spec.algorithm === 'DES' ? 8 : spec.lengthBytes,
          sensitive: true,
          extractable: false,
        });
        expect(info.kcv).toMatch(/^[0-9a-f]{6}$/);
        await expect(custody.describeKey(label)).resolves.toEqual(info);
        expect((await custody.listKeys()).map((k) => k.label)).toContain(label);
        await custody.destroyKey(label);
        await expectHsmError(custody.describeKey(label), 'NOT_FOUND');
        expect((await custody.listKeys()).map((k) => k.label)).not.toContain(label);
      });

      it('reports check values computed as the port defines them', async () => {
        const aes = randomBytes(24);
        const hmac = randomBytes(20);
        const des = hexToBytes('k', '0123456789abcdef');
        const cases = [
          [{ label: uniqueLabel('kcv'), algorithm: 'AES', usage: 'WRAP' }, aes],
          [{ label: uniqueLabel('kcv'), algorithm: 'HMAC', usage: 'DERIVE' }, hmac],
          [{ label: uniqueLabel('kcv'), algorithm: 'DES', usage: 'DERIVE' }, des],
        ] as const;
        for (const [spec, value] of cases) {
          const info = await loadKnownKey(custody, spec, value);
          expect(info.kcv).toBe(secretKeyCheckValue(spec.algorithm, value));
          expect(info.lengthBytes).toBe(value.length);
        }
        expect(cases[2][1]).toEqual(hexToBytes('k', '0123456789abcdef'));
        expect((await custody.describeKey(cases[2][0].label)).kcv).toBe('d5d44f');
      });

      it('refuses a second key with the same label', async () => {
        const label = uniqueLabel('dup');
        await custody.generateKey({ label, algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 });
        await expectHsmError(
          custody.generateKey({ label, algorithm: 'DES', usage: 'DERIVE' }),
          'ALREADY_EXISTS',
        );
        await expectHsmError(custody.generateSigningKey(label), 'ALREADY_EXISTS');
      });

      it.each([
        ['AES without a length', { algorithm: 'AES', usage: 'WRAP' }],
        ['AES of 20 bytes', { algorithm: 'AES', usage: 'WRAP', lengthBytes: 20 }],
        ['DES of 16 bytes', { algorithm: 'DES', usage: 'DERIVE', lengthBytes: 16 }],
        ['HMAC of 0 bytes', { algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 0 }],
        ['AES for derivation', { algorithm: 'AES', usage: 'DERIVE', lengthBytes: 16 }],
        ['DES for wrapping', { algorithm: 'DES', usage: 'WRAP' }],
        ['EC_P256 via generateKey', { algorithm: 'EC_P256', usage: 'SIGN' }],
        ['an unknown algorithm', { algorithm: 'RSA', usage: 'SIGN' }],
      ])('refuses %s as INVALID_INPUT', async (_, partial) => {
        const spec = { label: uniqueLabel('bad'), ...partial } as KeySpec;
        await expectHsmError(custody.generateKey(spec), 'INVALID_INPUT');
      });

      it.each(['', 'has space', 'a/b', 'x'.repeat(65)])(
        'refuses the label %j as INVALID_INPUT',
        async (label) => {
          await expectHsmError(
            custody.generateKey({ label, algorithm: 'DES', usage: 'DERIVE' }),
            'INVALID_INPUT',
          );
          await expectHsmError(custody.describeKey(label), 'INVALID_INPUT');
        },
      );

      it('answers NOT_FOUND for unknown labels everywhere', async () => {
        const label = uniqueLabel('missing');
        await expectHsmError(custody.describeKey(label), 'NOT_FOUND');
        await expectHsmError(custody.destroyKey(label), 'NOT_FOUND');
        await expectHsmError(custody.deriveDecoderKey(label, DKGA02_INPUT), 'NOT_FOUND');
        await expectHsmError(custody.sign(label, Buffer.from('x')), 'NOT_FOUND');
        await expectHsmError(custody.publicKeyPem(label), 'NOT_FOUND');
      });
    });

    describe('audit signing key', () => {
      it('signs checkpoints that node:crypto verifies offline', async () => {
        const label = uniqueLabel('audit');
        const info = await custody.generateSigningKey(label);
        expect(info).toMatchObject({ label, algorithm: 'EC_P256', usage: 'SIGN', sensitive: true });
        expect(info.extractable).toBe(false);
        const pem = await custody.publicKeyPem(label);
        expect(pem).toBe(info.publicKeyPem);
        const publicKey = createPublicKey(pem);
        expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        const spki = publicKey.export({ type: 'spki', format: 'der' });
        expect(info.kcv).toBe(createHash('sha256').update(spki).digest('hex').slice(0, 6));

        const data = Buffer.from('checkpoint 42: 9f86d081884c7d65');
        const signature = await custody.sign(label, data);
        expect(signature).toHaveLength(64);
        const offline = verifySignature(
          'sha256',
          data,
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          signature,
        );
        expect(offline).toBe(true);
        await expect(custody.verify(label, data, signature)).resolves.toBe(true);
        const tampered = Buffer.from(data);
        tampered[0] ^= 1;
        await expect(custody.verify(label, tampered, signature)).resolves.toBe(false);
        await expect(custody.verify(label, data, signature.subarray(0, 63))).resolves.toBe(false);
        await expect(custody.describeKey(label)).resolves.toMatchObject({ kcv: info.kcv });
      });

      it('refuses to sign with a secret key (NOT_PERMITTED)', async () => {
        const label = uniqueLabel('notsign');
        await custody.generateKey({ label, algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 });
        await expectHsmError(custody.sign(label, Buffer.from('x')), 'NOT_PERMITTED');
        await expectHsmError(custody.publicKeyPem(label), 'NOT_PERMITTED');
      });
    });

    describe('key-component ceremony', () => {
      it('combines three components after checking each check value', async () => {
        const ceremony = uniqueLabel('c3');
        const parts = [randomBytes(20), randomBytes(20), randomBytes(20)];
        const value = Buffer.from(parts[0].map((b, i) => b ^ parts[1][i] ^ parts[2][i]));
        for (const [i, part] of parts.entries()) {
          const kcv = secretKeyCheckValue('HMAC', part);
          await expect(
            custody.storeVerifiedComponent(ceremony, i + 1, 'HMAC', part, kcv.toUpperCase()),
          ).resolves.toEqual({ kcv });
        }
        const label = uniqueLabel('vk04');
        const info = await custody.completeCeremony(
          ceremony,
          3,
          { label, algorithm: 'HMAC', usage: 'DERIVE' },
          secretKeyCheckValue('HMAC', value),
        );
        expect(info).toMatchObject({ label, algorithm: 'HMAC', lengthBytes: 20 });
        const dk = await custody.deriveDecoderKey(label, DKGA04_INPUT);
        expect(bytesToHex(dk)).toBe(bytesToHex(softwareDerive(value, DKGA04_INPUT)));
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            3,
            { label: uniqueLabel('again'), algorithm: 'HMAC', usage: 'DERIVE' },
            info.kcv,
          ),
          'NOT_FOUND',
        );
      });

      it('returns each component check value from storeComponent', async () => {
        const ceremony = uniqueLabel('ckcv');
        const part = randomBytes(8);
        await expect(custody.storeComponent(ceremony, 1, 'DES', part)).resolves.toEqual({
          kcv: secretKeyCheckValue('DES', part),
        });
        await custody.abortCeremony(ceremony);
      });

      it('refuses a component with the wrong check value and stores nothing', async () => {
        const ceremony = uniqueLabel('cbad');
        const part = randomBytes(8);
        const good = secretKeyCheckValue('DES', part);
        const wrong = ((parseInt(good, 16) + 1) % 0x1000000).toString(16).padStart(6, '0');
        await expectHsmError(
          custody.storeVerifiedComponent(ceremony, 1, 'DES', part, wrong),
          'CHECK_VALUE_MISMATCH',
        );
        // Nothing was stored: the same index is still free.
        await expect(
          custody.storeVerifiedComponent(ceremony, 1, 'DES', part, good),
        ).resolves.toEqual({ kcv: good });
        await custody.abortCeremony(ceremony);
      });

      it('refuses a combined key with the wrong check value, stores nothing, drops components', async () => {
        const ceremony = uniqueLabel('cwrong');
        await custody.storeComponent(ceremony, 1, 'DES', randomBytes(8));
        await custody.storeComponent(ceremony, 2, 'DES', randomBytes(8));
        const label = uniqueLabel('never');
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            2,
            { label, algorithm: 'DES', usage: 'DERIVE' },
            '000000',
          ),
          'CHECK_VALUE_MISMATCH',
        );
        await expectHsmError(custody.describeKey(label), 'NOT_FOUND');
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            2,
            { label, algorithm: 'DES', usage: 'DERIVE' },
            '000000',
          ),
          'NOT_FOUND',
        );
      });

      it('refuses incomplete, inconsistent or duplicate components', async () => {
        const ceremony = uniqueLabel('cinc');
        await custody.storeComponent(ceremony, 1, 'AES', randomBytes(16));
        await expectHsmError(
          custody.storeComponent(ceremony, 1, 'AES', randomBytes(16)),
          'ALREADY_EXISTS',
        );
        await expectHsmError(
          custody.storeComponent(ceremony, 2, 'AES', randomBytes(32)),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.storeComponent(ceremony, 2, 'DES', randomBytes(8)),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.storeComponent(ceremony, 4, 'AES', randomBytes(16)),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.storeComponent(ceremony, 2, 'EC_P256', randomBytes(32)),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            2,
            { label: uniqueLabel('k'), algorithm: 'AES', usage: 'WRAP' },
            '000000',
          ),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            2,
            { label: uniqueLabel('k'), algorithm: 'AES', usage: 'WRAP' },
            '000000',
          ),
          'NOT_FOUND',
        );
      });

      it('discards one component, keeps the others and frees its index (idempotent)', async () => {
        const ceremony = uniqueLabel('cdiscard');
        const first = randomBytes(8);
        await custody.storeComponent(ceremony, 1, 'DES', first);
        await custody.storeComponent(ceremony, 2, 'DES', randomBytes(8));
        await custody.discardComponent(ceremony, 2);
        await expect(custody.discardComponent(ceremony, 2)).resolves.toBeUndefined();
        await expect(custody.discardComponent(uniqueLabel('none'), 1)).resolves.toBeUndefined();
        await expectHsmError(custody.discardComponent(ceremony, 4), 'INVALID_INPUT');
        // Index 2 takes a new component; component 1 is still the one stored first.
        const second = randomBytes(8);
        await expect(custody.storeComponent(ceremony, 2, 'DES', second)).resolves.toEqual({
          kcv: secretKeyCheckValue('DES', second),
        });
        const value = Buffer.from(first.map((b, i) => b ^ second[i]));
        const label = uniqueLabel('kdiscard');
        await expect(
          custody.completeCeremony(
            ceremony,
            2,
            { label, algorithm: 'DES', usage: 'DERIVE' },
            secretKeyCheckValue('DES', value),
          ),
        ).resolves.toMatchObject({ label, kcv: secretKeyCheckValue('DES', value) });
      });

      it('keeps the components when asked, whatever the outcome, until aborted', async () => {
        const ceremony = uniqueLabel('ckeep');
        const parts = [randomBytes(16), randomBytes(16)];
        const kcv = secretKeyCheckValue(
          'AES',
          Buffer.from(parts[0].map((b, i) => b ^ parts[1][i])),
        );
        for (const [i, part] of parts.entries())
          await custody.storeComponent(ceremony, i + 1, 'AES', part);
        const spec = (label: string) => ({ label, algorithm: 'AES', usage: 'WRAP' }) as const;
        const keep = { keepComponents: true };
        const first = uniqueLabel('kkeep');
        await expect(
          custody.completeCeremony(ceremony, 2, spec(first), kcv, keep),
        ).resolves.toMatchObject({ label: first, kcv });
        // The caller could not record `first`: it destroys the key and combines again.
        await custody.destroyKey(first);
        const wrong = uniqueLabel('kkeep');
        await expectHsmError(
          custody.completeCeremony(ceremony, 2, spec(wrong), '000000', keep),
          'CHECK_VALUE_MISMATCH',
        );
        await expectHsmError(custody.describeKey(wrong), 'NOT_FOUND');
        const second = uniqueLabel('kkeep');
        await expect(
          custody.completeCeremony(ceremony, 2, spec(second), kcv, keep),
        ).resolves.toMatchObject({ label: second, kcv });
        await custody.abortCeremony(ceremony);
        await expectHsmError(
          custody.completeCeremony(ceremony, 2, spec(uniqueLabel('kkeep')), kcv),
          'NOT_FOUND',
        );
        await expect(custody.describeKey(second)).resolves.toMatchObject({ kcv });
      });

      it('destroys the components of an aborted ceremony', async () => {
        const ceremony = uniqueLabel('cabort');
        await custody.storeComponent(ceremony, 1, 'DES', randomBytes(8));
        await custody.storeComponent(ceremony, 2, 'DES', randomBytes(8));
        await custody.abortCeremony(ceremony);
        await expectHsmError(
          custody.completeCeremony(
            ceremony,
            2,
            { label: uniqueLabel('k'), algorithm: 'DES', usage: 'DERIVE' },
            '000000',
          ),
          'NOT_FOUND',
        );
        await expect(custody.abortCeremony(ceremony)).resolves.toBeUndefined();
      });
    });

    describe('keys generated as components for custodians', () => {
      const generate = (ceremony: string, label: string, count = 2) => {
        if (!custody.generateComponents)
          throw new Error('this adapter does not generate components');
        return custody.generateComponents(ceremony, count, {
          label,
          algorithm: 'AES',
          usage: 'WRAP',
          lengthBytes: 32,
        });
      };
      const release = (ceremony: string, index: number) => {
        if (!custody.releaseComponent) throw new Error('this adapter does not release components');
        return custody.releaseComponent(ceremony, index);
      };

      it('releases each component once; their XOR is the stored key', async () => {
        const ceremony = uniqueLabel('cgen');
        const label = uniqueLabel('tkgen');
        const generated = await generate(ceremony, label, 3);
        expect(generated.key).toMatchObject({
          label,
          algorithm: 'AES',
          usage: 'WRAP',
          lengthBytes: 32,
          sensitive: true,
          extractable: false,
        });
        expect(generated.componentKcvs).toHaveLength(3);
        const parts: Uint8Array[] = [];
        for (const index of [2, 1, 3]) {
          const released = await release(ceremony, index);
          expect(released.index).toBe(index);
          expect(released.component).toHaveLength(32);
          expect(released.kcv).toBe(secretKeyCheckValue('AES', released.component));
          expect(released.kcv).toBe(generated.componentKcvs[index - 1]);
          parts.push(released.component);
          await expectHsmError(release(ceremony, index), 'NOT_FOUND');
        }
        const combined = parts[0].map((b, i) => b ^ parts[1][i] ^ parts[2][i]);
        expect(secretKeyCheckValue('AES', combined)).toBe(generated.key.kcv);
        expect(new Set(parts.map((p) => bytesToHex(p))).size).toBe(3);
      });

      it("wraps derived keys that the custodians' combined key unwraps", async () => {
        const ceremony = uniqueLabel('cgen');
        const transport = uniqueLabel('tkgen');
        const vk = uniqueLabel('gvk02');
        await generate(ceremony, transport);
        await loadKnownKey(custody, { label: vk, algorithm: 'DES', usage: 'DERIVE' }, DES_VK);
        const [a, b] = [await release(ceremony, 1), await release(ceremony, 2)];
        const combined = a.component.map((x, i) => x ^ b.component[i]);
        const exported = await custody.exportDecoderKey(vk, DKGA02_INPUT, transport);
        const dk = aesKeyUnwrapPad(combined, exported.wrapped);
        expect(bytesToHex(dk)).toBe(bytesToHex(softwareDerive(DES_VK, DKGA02_INPUT)));
      });

      it('refuses a taken label or a ceremony that holds components; abort drops unreleased ones', async () => {
        const ceremony = uniqueLabel('cgen');
        const label = uniqueLabel('tkgen');
        await generate(ceremony, label);
        await expectHsmError(generate(uniqueLabel('cgen'), label), 'ALREADY_EXISTS');
        await expectHsmError(generate(ceremony, uniqueLabel('tkgen')), 'ALREADY_EXISTS');
        await release(ceremony, 1);
        await custody.abortCeremony(ceremony);
        await expectHsmError(release(ceremony, 2), 'NOT_FOUND');
        await expect(custody.describeKey(label)).resolves.toMatchObject({ label });
      });

      it('refuses bad counts and specs (INVALID_INPUT)', async () => {
        await expectHsmError(
          generate(uniqueLabel('cgen'), uniqueLabel('tkgen'), 1),
          'INVALID_INPUT',
        );
        await expectHsmError(
          generate(uniqueLabel('cgen'), uniqueLabel('tkgen'), 4),
          'INVALID_INPUT',
        );
        await expectHsmError(release(uniqueLabel('cgen'), 0), 'INVALID_INPUT');
      });
    });

    describe('wrapped import (RFC 5649)', () => {
      let kekLabel: string;
      const kek = randomBytes(32);

      beforeAll(async () => {
        kekLabel = uniqueLabel('kek');
        await loadKnownKey(custody, { label: kekLabel, algorithm: 'AES', usage: 'UNWRAP' }, kek);
      });

      it.each([
        ['DES', DES_VK, DKGA02_INPUT],
        ['HMAC', HMAC_VK, DKGA04_INPUT],
      ] as const)(
        'imports a %s vending key that then derives like software',
        async (algorithm, value, input) => {
          const label = uniqueLabel('imp');
          const info = await custody.importWrapped(
            kekLabel,
            aesKeyWrapPad(kek, value),
            { label, algorithm, usage: 'DERIVE' },
            secretKeyCheckValue(algorithm, value),
          );
          expect(info).toMatchObject({
            label,
            algorithm,
            lengthBytes: value.length,
            sensitive: true,
            extractable: false,
          });
          const dk = await custody.deriveDecoderKey(label, input);
          expect(bytesToHex(dk)).toBe(bytesToHex(softwareDerive(value, input)));
        },
      );

      it('imports a 40-byte HMAC vending key (kept inside the token on SoftHSM)', async () => {
        const value = randomBytes(40);
        const label = uniqueLabel('imp40');
        const info = await custody.importWrapped(
          kekLabel,
          aesKeyWrapPad(kek, value),
          { label, algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 40 },
          secretKeyCheckValue('HMAC', value),
        );
        expect(info).toMatchObject({ lengthBytes: 40, kcv: secretKeyCheckValue('HMAC', value) });
        const dk = await custody.deriveDecoderKey(label, DKGA04_INPUT);
        expect(bytesToHex(dk)).toBe(bytesToHex(softwareDerive(value, DKGA04_INPUT)));
      });

      it('imports an AES transport key', async () => {
        const value = randomBytes(16);
        const label = uniqueLabel('impaes');
        const info = await custody.importWrapped(
          kekLabel,
          aesKeyWrapPad(kek, value),
          { label, algorithm: 'AES', usage: 'WRAP' },
          secretKeyCheckValue('AES', value),
        );
        expect(info).toMatchObject({ lengthBytes: 16, kcv: secretKeyCheckValue('AES', value) });
      });

      it('refuses a tampered wrapped key as INVALID_INPUT and stores nothing', async () => {
        const wrapped = Buffer.from(aesKeyWrapPad(kek, DES_VK));
        const label = uniqueLabel('tamper');
        for (const position of [0, 8, wrapped.length - 1]) {
          const tampered = Buffer.from(wrapped);
          tampered[position] ^= 0x01;
          await expectHsmError(
            custody.importWrapped(
              kekLabel,
              tampered,
              { label, algorithm: 'DES', usage: 'DERIVE' },
              secretKeyCheckValue('DES', DES_VK),
            ),
            'INVALID_INPUT',
          );
        }
        await expectHsmError(
          custody.importWrapped(
            kekLabel,
            wrapped.subarray(0, 12),
            { label, algorithm: 'DES', usage: 'DERIVE' },
            secretKeyCheckValue('DES', DES_VK),
          ),
          'INVALID_INPUT',
        );
        await expectHsmError(custody.describeKey(label), 'NOT_FOUND');
      });

      it('refuses a wrong check value as CHECK_VALUE_MISMATCH and stores nothing', async () => {
        const label = uniqueLabel('impkcv');
        await expectHsmError(
          custody.importWrapped(
            kekLabel,
            aesKeyWrapPad(kek, HMAC_VK),
            { label, algorithm: 'HMAC', usage: 'DERIVE' },
            '123456',
          ),
          'CHECK_VALUE_MISMATCH',
        );
        await expectHsmError(custody.describeKey(label), 'NOT_FOUND');
      });

      it('refuses key material of the wrong length for the spec', async () => {
        await expectHsmError(
          custody.importWrapped(
            kekLabel,
            aesKeyWrapPad(kek, randomBytes(16)),
            { label: uniqueLabel('len'), algorithm: 'DES', usage: 'DERIVE' },
            '000000',
          ),
          'INVALID_INPUT',
        );
      });

      it('refuses to unwrap under a key that is not a key-encryption key', async () => {
        const transport = uniqueLabel('notkek');
        await custody.generateKey({
          label: transport,
          algorithm: 'AES',
          usage: 'WRAP',
          lengthBytes: 32,
        });
        await expectHsmError(
          custody.importWrapped(
            transport,
            aesKeyWrapPad(kek, DES_VK),
            { label: uniqueLabel('x'), algorithm: 'DES', usage: 'DERIVE' },
            secretKeyCheckValue('DES', DES_VK),
          ),
          'NOT_PERMITTED',
        );
      });
    });

    describe('decoder-key derivation', () => {
      const vectors = derivationVectors();
      const vendingKeys = new Map<string, string>();

      beforeAll(async () => {
        for (const hex of new Set(vectors.map((v) => v.vendingKeyHex))) {
          const value = hexToBytes('vk', hex);
          const label = uniqueLabel('vector-vk');
          const algorithm = value.length === 8 ? 'DES' : 'HMAC';
          await loadKnownKey(custody, { label, algorithm, usage: 'DERIVE' }, value);
          vendingKeys.set(hex, label);
        }
      });

      it('covers DKGA02 and DKGA04 vectors, including every published derive result', () => {
        expect(vectors.filter((v) => v.input.dkga === '02').length).toBeGreaterThan(0);
        expect(vectors.filter((v) => v.input.dkga === '04').length).toBeGreaterThan(0);
        expect(vectors.filter((v) => v.expectedHex !== undefined).length).toBe(6);
      });

      it.each(vectors.map((v) => [v.id, v] as const))(
        'derives %s exactly as @sts/core does',
        async (_, vector) => {
          const label = vendingKeys.get(vector.vendingKeyHex)!;
          const dk = await custody.deriveDecoderKey(label, vector.input);
          const software = softwareDerive(hexToBytes('vk', vector.vendingKeyHex), vector.input);
          expect(bytesToHex(dk)).toBe(bytesToHex(software));
          if (vector.expectedHex !== undefined) expect(bytesToHex(dk)).toBe(vector.expectedHex);
        },
      );

      it('derives a batch in order, equal to single derivations', async () => {
        for (const dkga of ['02', '04'] as const) {
          const batch = vectors.filter((v) => v.input.dkga === dkga);
          const label = vendingKeys.get(batch[0].vendingKeyHex)!;
          const same = batch.filter((v) => v.vendingKeyHex === batch[0].vendingKeyHex);
          const keys = await custody.deriveDecoderKeys(
            label,
            same.map((v) => v.input),
          );
          expect(keys.map(bytesToHex)).toEqual(
            same.map((v) => bytesToHex(softwareDerive(hexToBytes('vk', v.vendingKeyHex), v.input))),
          );
        }
        const label = vendingKeys.get('abababababababab')!;
        await expect(custody.deriveDecoderKeys(label, [])).resolves.toEqual([]);
      });

      it('refuses a DKGA that does not match the vending key (INVALID_INPUT)', async () => {
        await expectHsmError(
          custody.deriveDecoderKey(vendingKeys.get('abababababababab')!, DKGA04_INPUT),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.deriveDecoderKey(vendingKeys.get(bytesToHex(HMAC_VK))!, DKGA02_INPUT),
          'INVALID_INPUT',
        );
      });

      it('refuses to derive with a key that is not a vending key (NOT_PERMITTED)', async () => {
        const label = uniqueLabel('aes');
        await custody.generateKey({ label, algorithm: 'AES', usage: 'UNWRAP', lengthBytes: 16 });
        await expectHsmError(custody.deriveDecoderKey(label, DKGA02_INPUT), 'NOT_PERMITTED');
      });

      it('serves many concurrent callers in one process correctly', async () => {
        const jobs = Array.from({ length: 60 }, (_, i) => vectors[i % vectors.length]);
        const results = await Promise.all(
          jobs.map((v, i) =>
            i % 3 === 2
              ? custody.describeKey(vendingKeys.get(v.vendingKeyHex)!).then((info) => info.label)
              : custody
                  .deriveDecoderKey(vendingKeys.get(v.vendingKeyHex)!, v.input)
                  .then(bytesToHex),
          ),
        );
        jobs.forEach((v, i) => {
          expect(results[i]).toBe(
            i % 3 === 2
              ? vendingKeys.get(v.vendingKeyHex)
              : bytesToHex(softwareDerive(hexToBytes('vk', v.vendingKeyHex), v.input)),
          );
        });
      });
    });

    describe('export of derived keys and refusal to export stored keys', () => {
      const transportValue = randomBytes(16);
      let transport: string;
      let desVk: string;
      let hmacVk: string;

      beforeAll(async () => {
        transport = uniqueLabel('tk');
        desVk = uniqueLabel('xvk02');
        hmacVk = uniqueLabel('xvk04');
        await loadKnownKey(
          custody,
          { label: transport, algorithm: 'AES', usage: 'WRAP' },
          transportValue,
        );
        await loadKnownKey(custody, { label: desVk, algorithm: 'DES', usage: 'DERIVE' }, DES_VK);
        await loadKnownKey(custody, { label: hmacVk, algorithm: 'HMAC', usage: 'DERIVE' }, HMAC_VK);
      });

      it.each([
        ['DKGA02', () => desVk, DES_VK, DKGA02_INPUT],
        ['DKGA04', () => hmacVk, HMAC_VK, DKGA04_INPUT],
      ] as const)(
        'wraps a %s decoder key under the transport key, with its check value',
        async (_, label, value, input) => {
          const exported = await custody.exportDecoderKey(label(), input, transport);
          const dk = aesKeyUnwrapPad(transportValue, exported.wrapped);
          expect(bytesToHex(dk)).toBe(bytesToHex(softwareDerive(value, input)));
          expect(exported.kcv).toBe(decoderKeyCheckValue(dk));
        },
      );

      it('refuses a transport key that may not wrap (NOT_PERMITTED)', async () => {
        const kek = uniqueLabel('kek');
        await custody.generateKey({
          label: kek,
          algorithm: 'AES',
          usage: 'UNWRAP',
          lengthBytes: 16,
        });
        await expectHsmError(custody.exportDecoderKey(desVk, DKGA02_INPUT, kek), 'NOT_PERMITTED');
        await expectHsmError(
          custody.exportDecoderKey(desVk, DKGA02_INPUT, hmacVk),
          'NOT_PERMITTED',
        );
      });

      it('refuses to wrap out any stored key (NOT_PERMITTED)', async () => {
        const aes = uniqueLabel('aes');
        await custody.generateKey({ label: aes, algorithm: 'AES', usage: 'WRAP', lengthBytes: 32 });
        for (const label of [desVk, hmacVk, transport, aes]) {
          await expectHsmError(custody.exportKey(label, transport), 'NOT_PERMITTED');
        }
        await expectHsmError(custody.exportKey(uniqueLabel('none'), transport), 'NOT_FOUND');
      });
    });

    describe('EA09 block encryption', () => {
      it('encrypts 8-byte blocks with single DES under the decoder key', async () => {
        const key = randomBytes(8);
        const blocks = Array.from({ length: 5 }, () => randomBytes(8));
        const out = await custody.encryptEa09(key, blocks);
        expect(out.map(bytesToHex)).toEqual(blocks.map((b) => bytesToHex(desEncryptBlock(key, b))));
        await expect(custody.encryptEa09(key, [])).resolves.toEqual([]);
      });

      it('matches the FIPS 81 DES known answer', async () => {
        const [out] = await custody.encryptEa09(hexToBytes('k', '0123456789abcdef'), [
          Buffer.from('Now is t', 'ascii'),
        ]);
        expect(bytesToHex(out)).toBe('3fa40e8a984d4815');
      });

      it('refuses keys and blocks of the wrong size (INVALID_INPUT)', async () => {
        await expectHsmError(
          custody.encryptEa09(randomBytes(16), [randomBytes(8)]),
          'INVALID_INPUT',
        );
        await expectHsmError(
          custody.encryptEa09(randomBytes(8), [randomBytes(7)]),
          'INVALID_INPUT',
        );
      });
    });
  });

  describe(`KeyCustody contract: ${name} after close`, () => {
    it('answers UNAVAILABLE once closed', async () => {
      const custody = await factory();
      await custody.close();
      await expectHsmError(custody.listKeys(), 'UNAVAILABLE');
      await expectHsmError(custody.selfTest(), 'UNAVAILABLE');
      await expect(custody.close()).resolves.toBeUndefined();
    });
  });
}
