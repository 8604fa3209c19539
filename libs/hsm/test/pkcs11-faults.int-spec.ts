/** @jest-environment ./libs/hsm/test/support/pkcs11-shim-environment.js */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DerivationInput,
  bytesToHex,
  deriveDecoderKey as softwareDerive,
  hexToBytes,
  luhnCheckDigit,
  parseDerivationInput,
} from '@sts/core';
import {
  type KeyCustody,
  type Pkcs11Config,
  type TokenStateChange,
  Pkcs11KeyCustody,
} from '@sts/hsm';
import {
  expectHsmError,
  keyCustodyContract,
  loadKnownKey,
  uniqueLabel,
} from './key-custody.contract';
import { CKR, testShim } from './support/pkcs11-shim';
import { testToken } from './support/softhsm';

/**
 * The PKCS#11 adapter through the latency and fault shim (test/pkcs11-shim) in front of this
 * file's SoftHSM token: the shared contract with a delay on every call, then device errors,
 * lost sessions, hung calls and a token whose files vanish, each followed by recovery without
 * a restart.
 */

const token = testToken();
const shim = testShim();
const config: Pkcs11Config = { ...token.config, modulePath: shim.module };

keyCustodyContract('pkcs11 (SoftHSM through the shim, 200 µs a call)', async () => {
  shim.set({ delayUs: 200 });
  return Pkcs11KeyCustody.open(config);
});

const HMAC_VK = hexToBytes('vk', 'abababababababab949494949494949401234567');
const DES_VK = hexToBytes('vk', 'abababababababab');

/** Meter number `n` (10 digits and the check digit). */
function drnOf(n: number): string {
  const body = String(n).padStart(10, '0');
  return body + String(luhnCheckDigit(body));
}

function dkga04Input(drn: number): DerivationInput {
  return parseDerivationInput({
    dkga: '04',
    iin: '600727',
    drn: drnOf(drn),
    keyType: 2,
    sgc: '123457',
    tariffIndex: '01',
    krn: 1,
    baseDate: 1993,
    ea: '11',
  });
}

function dkga02Input(drn: number): DerivationInput {
  return parseDerivationInput({
    dkga: '02',
    iin: '600727',
    drn: drnOf(drn),
    keyType: 2,
    sgc: '123456',
    tariffIndex: '01',
    krn: 1,
  });
}

/** Calls `attempt` until it resolves (the adapter's reconnection back-off is 100 ms to 5 s). */
async function untilItWorks<T>(attempt: () => Promise<T>, tries = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('Pkcs11KeyCustody through the fault shim', () => {
  let custody: KeyCustody;
  const changes: TokenStateChange[] = [];
  let hmacLabel: string;
  let desLabel: string;
  let signingLabel: string;

  beforeAll(async () => {
    shim.set({});
    custody = await Pkcs11KeyCustody.open({
      ...config,
      callTimeoutMs: 400,
      maxInFlight: 4,
      onStateChange: (change) => changes.push(change),
    });
    hmacLabel = uniqueLabel('vk-hmac');
    desLabel = uniqueLabel('vk-des');
    signingLabel = uniqueLabel('audit');
    await loadKnownKey(
      custody,
      { label: hmacLabel, algorithm: 'HMAC', usage: 'DERIVE', lengthBytes: 20 },
      HMAC_VK,
    );
    await loadKnownKey(custody, { label: desLabel, algorithm: 'DES', usage: 'DERIVE' }, DES_VK);
    await custody.generateSigningKey(signingLabel);
  });

  afterEach(() => shim.set({}));
  afterAll(() => custody.close());

  async function expectDerivesCorrectly(count: number): Promise<void> {
    const inputs = Array.from({ length: count }, (_, i) => dkga04Input(i));
    const keys = await custody.deriveDecoderKeys(hmacLabel, inputs);
    expect(keys.map(bytesToHex)).toEqual(
      inputs.map((input) => bytesToHex(softwareDerive(HMAC_VK, input))),
    );
    const [des] = await custody.deriveDecoderKeys(desLabel, [dkga02Input(count)]);
    expect(bytesToHex(des)).toBe(bytesToHex(softwareDerive(DES_VK, dkga02Input(count))));
  }

  it('reports every capability in the token, RFC 5649 as SoftHSM names it', async () => {
    const capabilities = await (custody as Pkcs11KeyCustody).capabilities();
    expect(capabilities.filter((c) => c.outcome !== 'in-token')).toEqual([]);
    expect(capabilities).toContainEqual(
      expect.objectContaining({
        mechanism: 'CKM_AES_KEY_WRAP_KWP',
        offeredAs: 'CKM_AES_KEY_WRAP_PAD',
      }),
    );
    expect(capabilities.map((c) => c.mechanism)).toContain('token data objects (CKO_DATA)');
  });

  it('splits a DKGA04 batch over several sessions and keeps the input order', async () => {
    shim.set({ delayUs: 300 });
    await expectDerivesCorrectly(37);
    const status = custody.status!();
    expect(status).toMatchObject({ state: 'available', maxInFlight: 4, callTimeoutMs: 400 });
    expect(status.latency.samples).toBeGreaterThan(0);
    expect(status.latency.p50Ms).toBeGreaterThan(0);
  });

  it('answers UNAVAILABLE on a device error mid-load, reports it once, then reconnects', async () => {
    changes.length = 0;
    const load = Array.from({ length: 20 }, (_, i) =>
      custody.deriveDecoderKeys(hmacLabel, [dkga04Input(i), dkga04Input(i + 100)]),
    );
    shim.set({ fail: CKR.DEVICE_ERROR });
    const outcomes = await Promise.allSettled(load);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const o of rejected) expect(o.reason).toMatchObject({ code: 'UNAVAILABLE' });
    // Whatever was answered before the fault is right.
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') {
        expect(o.value.map((key) => bytesToHex(key))).toEqual(
          [dkga04Input(i), dkga04Input(i + 100)].map((input) =>
            bytesToHex(softwareDerive(HMAC_VK, input)),
          ),
        );
      }
    });
    await expectHsmError(custody.deriveDecoderKey(hmacLabel, dkga04Input(2)), 'UNAVAILABLE');
    expect(custody.status!().state).toBe('unavailable');
    expect(changes.filter((c) => c.state === 'unavailable')).toHaveLength(1);

    shim.set({});
    await untilItWorks(() => custody.deriveDecoderKey(hmacLabel, dkga04Input(3)));
    await expectDerivesCorrectly(9);
    expect(custody.status!().state).toBe('available');
    expect(changes.map((c) => c.state)).toEqual(['unavailable', 'available']);
    expect(changes[1].unavailableForMs).toBeGreaterThanOrEqual(0);
  });

  it('re-logs in after the device drops every session (login lost)', async () => {
    await expectDerivesCorrectly(3);
    changes.length = 0;
    shim.set({ dropSessions: uniqueLabel('reset') });
    const signed = await untilItWorks(() => custody.sign(signingLabel, Buffer.from('checkpoint')));
    expect(await custody.verify(signingLabel, Buffer.from('checkpoint'), signed)).toBe(true);
    await expectDerivesCorrectly(5);
    expect(custody.status!().state).toBe('available');
  });

  it('answers UNAVAILABLE when a call hangs past the timeout, and recovers when it answers', async () => {
    changes.length = 0;
    shim.set({ hangMs: 1500, only: ['C_Sign'] });
    await expectHsmError(custody.deriveDecoderKey(hmacLabel, dkga04Input(4)), 'UNAVAILABLE');
    expect(custody.status!()).toMatchObject({ state: 'unavailable' });
    expect(custody.status!().lastFault).toMatch(/no answer within 400 ms/);
    shim.set({});
    await untilItWorks(() => custody.deriveDecoderKey(hmacLabel, dkga04Input(5)));
    await expectDerivesCorrectly(4);
    expect(changes.map((c) => c.state)).toEqual(['unavailable', 'available']);
  });

  it('times out a hung initialization (C_EncryptInit) on its worker thread while the event loop goes on', async () => {
    await expectDerivesCorrectly(2);
    changes.length = 0;
    shim.set({ hangMs: 1500, only: ['C_EncryptInit'] });
    const order: string[] = [];
    const turned = new Promise<void>((resolve) =>
      setTimeout(() => {
        order.push('event loop turned');
        resolve();
      }, 20),
    );
    const derived = custody.deriveDecoderKey(desLabel, dkga02Input(6)).then(
      () => order.push('answered'),
      (error: unknown) => {
        order.push('refused');
        throw error;
      },
    );
    await expectHsmError(derived, 'UNAVAILABLE');
    await turned;
    expect(order).toEqual(['event loop turned', 'refused']);
    expect(custody.status!().lastFault).toMatch(/no answer within 400 ms/);
    shim.set({});
    await untilItWorks(() => custody.deriveDecoderKey(desLabel, dkga02Input(7)));
    await expectDerivesCorrectly(3);
    expect(changes.map((c) => c.state)).toEqual(['unavailable', 'available']);
  });

  it('treats keys vanishing with the token files as a device fault, not an absent key', async () => {
    await expectDerivesCorrectly(2);
    const tokens = join(token.dir, 'tokens');
    renameSync(tokens, `${tokens}.away`);
    try {
      // Cached handles re-checked after a second find nothing: UNAVAILABLE, never NOT_FOUND.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expectHsmError(custody.deriveDecoderKey(hmacLabel, dkga04Input(6)), 'UNAVAILABLE');
      await expectHsmError(custody.describeKey(signingLabel), 'UNAVAILABLE');
    } finally {
      renameSync(`${tokens}.away`, tokens);
    }
    await untilItWorks(() => custody.deriveDecoderKey(hmacLabel, dkga04Input(7)));
    await expectDerivesCorrectly(6);
    await expectHsmError(custody.describeKey(uniqueLabel('absent')), 'NOT_FOUND');
  });
});
