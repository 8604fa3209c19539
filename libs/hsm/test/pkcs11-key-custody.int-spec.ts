/** @jest-environment ./libs/hsm/test/support/softhsm-environment.js */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import {
  bytesToHex,
  deriveDecoderKey as softwareDerive,
  hexToBytes,
  parseDerivationInput,
} from '@sts/core';
import {
  type Pkcs11Config,
  HsmError,
  Pkcs11KeyCustody,
  REQUIRED_MECHANISMS,
  aesKeyWrapPad,
  secretKeyCheckValue,
} from '@sts/hsm';
import { toHsmError } from '../src/pkcs11/errors';
import {
  expectHsmError,
  keyCustodyContract,
  loadKnownKey,
  uniqueLabel,
} from './key-custody.contract';
import { REPO_ROOT, testToken } from './support/softhsm';
import { derivationVectors } from './vectors';

/**
 * The PKCS#11 adapter against a real SoftHSM token created for this file by
 * keys-dev/setup-token.sh (see the environment above): the shared contract, then what only a
 * real token can show.
 */

const token = testToken();
/** Jest's limit for tests that start child processes (each compiles TypeScript first). */
const CHILD_PROCESS_TIMEOUT_MS = 60_000;
const config: Pkcs11Config = token.config;
const DKGA02_PROBE = parseDerivationInput({
  dkga: '02',
  iin: '600727',
  drn: '00000000000',
  keyType: 2,
  sgc: '123456',
  tariffIndex: '01',
  krn: 1,
});

keyCustodyContract('pkcs11 (SoftHSM)', () => Pkcs11KeyCustody.open(config));

describe('Pkcs11KeyCustody on SoftHSM', () => {
  describe('opening', () => {
    it('runs the self-test on open: every required mechanism and known answer', async () => {
      const custody = await Pkcs11KeyCustody.open(config);
      try {
        const report = custody.startupSelfTest!;
        expect(report.ok).toBe(true);
        expect(report.implementation).toBe('pkcs11');
        expect(report.token).toMatchObject({ label: 'sts-int', manufacturer: 'SoftHSM project' });
        const names = report.checks.map((c) => c.name);
        for (const mechanism of REQUIRED_MECHANISMS) {
          expect(names).toContain(`mechanism:${mechanism.name}`);
        }
      } finally {
        await custody.close();
      }
    });

    it('refuses a wrong PIN with AUTHENTICATION_FAILED and calls C_Login exactly once', async () => {
      let logins = 0;
      const counting = (modulePath: string): pkcs11js.PKCS11 => {
        const module = new pkcs11js.PKCS11();
        module.load(modulePath);
        const login = module.C_Login.bind(module);
        module.C_Login = (session: Buffer, userType: number, pin?: string) => {
          logins += 1;
          login(session, userType, pin);
        };
        return module;
      };
      await expectHsmError(
        Pkcs11KeyCustody.open({
          ...config,
          pin: '000000',
          loadModule: counting,
          startupRetry: { attempts: 5, initialDelayMs: 1 },
        }),
        'AUTHENTICATION_FAILED',
      );
      expect(logins).toBe(1);
      // The right PIN still works afterwards: the failure left nothing half-open.
      const custody = await Pkcs11KeyCustody.open(config);
      await custody.close();
    });

    it('retries C_Initialize after a transient failure (the start-up race), within its bound', async () => {
      let initializations = 0;
      const flaky =
        (failures: number) =>
        (modulePath: string): pkcs11js.PKCS11 => {
          const module = new pkcs11js.PKCS11();
          module.load(modulePath);
          const initialize = module.C_Initialize.bind(module);
          module.C_Initialize = (options?: pkcs11js.InitializationOptions) => {
            initializations += 1;
            if (initializations <= failures) {
              throw new pkcs11js.Pkcs11Error(
                'CKR_GENERAL_ERROR:5',
                pkcs11js.CKR_GENERAL_ERROR,
                'C_Initialize',
              );
            }
            initialize(options);
          };
          return module;
        };
      const retry = { attempts: 3, initialDelayMs: 1 };
      const custody = await Pkcs11KeyCustody.open({
        ...config,
        loadModule: flaky(2),
        startupRetry: retry,
      });
      expect(initializations).toBe(3);
      await custody.close();

      initializations = 0;
      await expectHsmError(
        Pkcs11KeyCustody.open({ ...config, loadModule: flaky(3), startupRetry: retry }),
        'UNAVAILABLE',
      );
      expect(initializations).toBe(3);
    });

    it('refuses a second adapter with a different PIN while one is logged in', async () => {
      const custody = await Pkcs11KeyCustody.open(config);
      try {
        await expectHsmError(
          Pkcs11KeyCustody.open({ ...config, pin: 'not-the-pin' }),
          'AUTHENTICATION_FAILED',
        );
      } finally {
        await custody.close();
      }
    });

    it('reports a missing module as UNAVAILABLE', async () => {
      const error = await Pkcs11KeyCustody.open({
        ...config,
        modulePath: join(token.dir, 'no-such-libpkcs11.so'),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HsmError);
      expect((error as HsmError).code).toBe('UNAVAILABLE');
    });

    it('reports an unknown token label as UNAVAILABLE after the bounded retry', async () => {
      await expectHsmError(
        Pkcs11KeyCustody.open({
          ...config,
          tokenLabel: 'no-such-token',
          startupRetry: { attempts: 2, initialDelayMs: 1 },
        }),
        'UNAVAILABLE',
      );
    });

    it('refuses malformed configuration as INVALID_INPUT', async () => {
      await expectHsmError(Pkcs11KeyCustody.open({ ...config, modulePath: '' }), 'INVALID_INPUT');
      await expectHsmError(
        Pkcs11KeyCustody.open({ ...config, tokenLabel: 'x'.repeat(33) }),
        'INVALID_INPUT',
      );
      await expectHsmError(Pkcs11KeyCustody.open({ ...config, pin: '' }), 'INVALID_INPUT');
    });
  });

  describe('the token refuses to give keys away', () => {
    const labels: string[] = [];
    const imported = uniqueLabel('raw-imported');
    const kek = uniqueLabel('raw-kek');
    const pendingCeremony = uniqueLabel('raw-ceremony');

    /**
     * A raw PKCS#11 client with the PIN, outside the adapter: what an attacker holding the PIN
     * could try. The adapter is closed, so this process initializes the module itself.
     */
    function withRawSession(
      work: (
        pkcs11: pkcs11js.PKCS11,
        session: Buffer,
        find: (label: string, objectClass: number) => Buffer,
      ) => void,
    ): void {
      const pkcs11 = new pkcs11js.PKCS11();
      pkcs11.load(config.modulePath);
      pkcs11.C_Initialize();
      try {
        const slot = pkcs11
          .C_GetSlotList(true)
          .find((s) => pkcs11.C_GetTokenInfo(s).label.trimEnd() === config.tokenLabel)!;
        const session = pkcs11.C_OpenSession(
          slot,
          pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
        );
        pkcs11.C_Login(session, pkcs11js.CKU_USER, config.pin);
        const find = (label: string, objectClass: number): Buffer => {
          pkcs11.C_FindObjectsInit(session, [
            { type: pkcs11js.CKA_LABEL, value: label },
            { type: pkcs11js.CKA_CLASS, value: objectClass },
          ]);
          const [handle] = pkcs11.C_FindObjects(session, 1);
          pkcs11.C_FindObjectsFinal(session);
          if (handle === undefined) throw new Error(`no object labelled ${label}`);
          return handle;
        };
        try {
          work(pkcs11, session, find);
        } finally {
          pkcs11.C_Logout(session);
          pkcs11.C_CloseSession(session);
        }
      } finally {
        pkcs11.C_Finalize();
        pkcs11.close();
      }
    }

    /** Boolean attributes of `handle`, 1 or 0 each. */
    const flags = (
      pkcs11: pkcs11js.PKCS11,
      session: Buffer,
      handle: Buffer,
      types: readonly number[],
    ): number[] =>
      pkcs11
        .C_GetAttributeValue(
          session,
          handle,
          types.map((type) => ({ type })),
        )
        .map((a) => a.value[0]);

    /** The port error code of a raw call that must fail ('SUCCEEDED' when it did not). */
    const refusal = (attempt: () => unknown): string => {
      try {
        attempt();
        return 'SUCCEEDED';
      } catch (error) {
        return toHsmError(error, 'attempt').code;
      }
    };

    beforeAll(async () => {
      const custody = await Pkcs11KeyCustody.open(config);
      try {
        const des = uniqueLabel('raw-des');
        const hmac = uniqueLabel('raw-hmac');
        const aes = uniqueLabel('raw-aes');
        const audit = uniqueLabel('raw-audit');
        await loadKnownKey(
          custody,
          { label: des, algorithm: 'DES', usage: 'DERIVE' },
          randomBytes(8),
        );
        await custody.generateKey({
          label: hmac,
          algorithm: 'HMAC',
          usage: 'DERIVE',
          lengthBytes: 40,
        });
        await custody.generateKey({ label: aes, algorithm: 'AES', usage: 'WRAP', lengthBytes: 32 });
        await custody.generateSigningKey(audit);
        labels.push(des, hmac, aes, audit);
        const kekValue = randomBytes(32);
        await loadKnownKey(
          custody,
          { label: kek, algorithm: 'AES', usage: 'UNWRAP', lengthBytes: 32 },
          kekValue,
        );
        const importedValue = randomBytes(32);
        await custody.importWrapped(
          kek,
          aesKeyWrapPad(kekValue, importedValue),
          { label: imported, algorithm: 'AES', usage: 'WRAP', lengthBytes: 32 },
          secretKeyCheckValue('AES', importedValue),
        );
        await custody.storeComponent(pendingCeremony, 1, 'AES', randomBytes(32));
        // Used once through the adapter, so that a working copy would exist if one could.
        await custody.deriveDecoderKey(des, DKGA02_PROBE);
      } finally {
        await custody.close();
      }
    });

    it('answers CKA_VALUE reads and C_WrapKey with refusals that map to NOT_PERMITTED', () => {
      withRawSession((pkcs11, session, find) => {
        const wrapper = find(labels[2], pkcs11js.CKO_SECRET_KEY);
        const codes: string[] = [];
        for (const [label, objectClass] of [
          [labels[0], pkcs11js.CKO_SECRET_KEY],
          [labels[1], pkcs11js.CKO_SECRET_KEY],
          [labels[2], pkcs11js.CKO_SECRET_KEY],
          [labels[3], pkcs11js.CKO_PRIVATE_KEY],
        ] as const) {
          const handle = find(label, objectClass);
          const attributes = pkcs11.C_GetAttributeValue(session, handle, [
            { type: pkcs11js.CKA_SENSITIVE },
            { type: pkcs11js.CKA_EXTRACTABLE },
          ]);
          expect(attributes.map((a) => a.value[0])).toEqual([1, 0]);
          expect(() =>
            pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]),
          ).toThrow(pkcs11js.Pkcs11Error);
          for (const attempt of [
            () => pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]),
            () =>
              pkcs11.C_WrapKey(
                session,
                { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD },
                wrapper,
                handle,
                Buffer.alloc(512),
              ),
          ]) {
            try {
              attempt();
              codes.push('SUCCEEDED');
            } catch (error) {
              codes.push(toHsmError(error, 'attempt').code);
            }
          }
        }
        expect(codes).toEqual(Array(8).fill('NOT_PERMITTED'));
      });
    });

    it('stores every key and helper object read-only: CKA_MODIFIABLE false, changes refused', () => {
      withRawSession((pkcs11, session, find) => {
        const objects: [string, number][] = [
          [labels[0], pkcs11js.CKO_SECRET_KEY], // stored from a value (ceremony)
          [labels[1], pkcs11js.CKO_SECRET_KEY], // generated in the token
          [labels[2], pkcs11js.CKO_SECRET_KEY],
          [imported, pkcs11js.CKO_SECRET_KEY], // unwrapped, then stored
          [kek, pkcs11js.CKO_SECRET_KEY],
          [labels[3], pkcs11js.CKO_PRIVATE_KEY],
          [labels[3], pkcs11js.CKO_PUBLIC_KEY],
          [`sts.internal/dkga02-share/${labels[0]}`, pkcs11js.CKO_SECRET_KEY],
          [`sts.internal/dkga02-share/${labels[0]}`, pkcs11js.CKO_DATA],
          [`sts.internal/ceremony/${pendingCeremony}/1`, pkcs11js.CKO_SECRET_KEY],
          [`sts.internal/ceremony/${pendingCeremony}/1`, pkcs11js.CKO_DATA],
        ];
        const seen: [number, string, string][] = [];
        for (const [label, objectClass] of objects) {
          const handle = find(label, objectClass);
          const [modifiable] = flags(pkcs11, session, handle, [pkcs11js.CKA_MODIFIABLE]);
          seen.push([
            modifiable,
            refusal(() =>
              pkcs11.C_SetAttributeValue(session, handle, [
                { type: pkcs11js.CKA_LABEL, value: 'renamed' },
              ]),
            ),
            objectClass === pkcs11js.CKO_DATA
              ? refusal(() =>
                  pkcs11.C_SetAttributeValue(session, handle, [
                    { type: pkcs11js.CKA_VALUE, value: Buffer.alloc(48) },
                  ]),
                )
              : refusal(() =>
                  pkcs11.C_SetAttributeValue(session, handle, [
                    { type: pkcs11js.CKA_EXTRACTABLE, value: true },
                  ]),
                ),
          ]);
        }
        expect(seen).toEqual(objects.map(() => [0, 'NOT_PERMITTED', 'NOT_PERMITTED']));
      });
    });

    it('gives the audit signing key one use: sign (no decrypt, unwrap, derive or sign-recover)', () => {
      withRawSession((pkcs11, session, find) => {
        const privateKey = find(labels[3], pkcs11js.CKO_PRIVATE_KEY);
        expect(
          flags(pkcs11, session, privateKey, [
            pkcs11js.CKA_SIGN,
            pkcs11js.CKA_DECRYPT,
            pkcs11js.CKA_UNWRAP,
            pkcs11js.CKA_DERIVE,
            pkcs11js.CKA_SIGN_RECOVER,
          ]),
        ).toEqual([1, 0, 0, 0, 0]);
        const publicKey = find(labels[3], pkcs11js.CKO_PUBLIC_KEY);
        expect(
          flags(pkcs11, session, publicKey, [
            pkcs11js.CKA_VERIFY,
            pkcs11js.CKA_ENCRYPT,
            pkcs11js.CKA_WRAP,
            pkcs11js.CKA_DERIVE,
            pkcs11js.CKA_VERIFY_RECOVER,
          ]),
        ).toEqual([1, 0, 0, 0, 0]);
        expect(
          refusal(() =>
            pkcs11.C_SetAttributeValue(session, privateKey, [
              { type: pkcs11js.CKA_DECRYPT, value: true },
            ]),
          ),
        ).toBe('NOT_PERMITTED');
        expect(
          refusal(() =>
            pkcs11.C_DeriveKey(
              session,
              {
                mechanism: pkcs11js.CKM_ECDH1_DERIVE,
                parameter: <pkcs11js.ECDH1>{
                  type: pkcs11js.CK_PARAMS_EC_DH,
                  kdf: pkcs11js.CKD_NULL,
                  publicData: Buffer.from(
                    pkcs11.C_GetAttributeValue(session, publicKey, [
                      { type: pkcs11js.CKA_EC_POINT },
                    ])[0].value,
                  ).subarray(2),
                },
              },
              privateKey,
              [
                { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
                { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
                { type: pkcs11js.CKA_TOKEN, value: false },
                { type: pkcs11js.CKA_EXTRACTABLE, value: true },
                { type: pkcs11js.CKA_SENSITIVE, value: false },
                { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
              ],
            ),
          ),
        ).toBe('NOT_PERMITTED');
      });
    });
  });

  describe('sharing', () => {
    const vectors = derivationVectors();
    const vendingKeys = new Map<string, string>();
    let custody: Pkcs11KeyCustody;

    beforeAll(async () => {
      custody = await Pkcs11KeyCustody.open(config);
      for (const hex of new Set(vectors.map((v) => v.vendingKeyHex))) {
        const value = hexToBytes('vk', hex);
        const label = uniqueLabel('shared-vk');
        const algorithm = value.length === 8 ? 'DES' : 'HMAC';
        await loadKnownKey(custody, { label, algorithm, usage: 'DERIVE' }, value);
        vendingKeys.set(hex, label);
      }
    });

    afterAll(async () => {
      await custody.close();
    });

    it(
      'works with two more processes using the token at the same time',
      async () => {
        const args = ['4', ...[...vendingKeys].map(([hex, label]) => `${hex}=${label}`)];
        const children = [runWorker(args), runWorker(args)];
        let derived = 0;
        for (let round = 0; round < 4; round++) {
          for (const vector of vectors) {
            const dk = await custody.deriveDecoderKey(
              vendingKeys.get(vector.vendingKeyHex)!,
              vector.input,
            );
            expect(bytesToHex(dk)).toBe(
              bytesToHex(softwareDerive(hexToBytes('vk', vector.vendingKeyHex), vector.input)),
            );
            derived += 1;
          }
        }
        const results = await Promise.all(children);
        expect(derived).toBe(4 * vectors.length);
        for (const result of results) {
          expect(result).toEqual({
            ok: true,
            derived: 4 * vectors.length,
            mismatches: 0,
            created: 4,
          });
        }
      },
      CHILD_PROCESS_TIMEOUT_MS,
    );

    it('follows a key that was destroyed and re-created under the same label', async () => {
      const label = uniqueLabel('replaced');
      const input = parseDerivationInput({
        dkga: '02',
        iin: '600727',
        drn: '00000000000',
        keyType: 2,
        sgc: '123456',
        tariffIndex: '01',
        krn: 1,
      });
      const first = randomBytes(8);
      const second = randomBytes(8);
      await loadKnownKey(custody, { label, algorithm: 'DES', usage: 'DERIVE' }, first);
      expect(bytesToHex(await custody.deriveDecoderKey(label, input))).toBe(
        bytesToHex(softwareDerive(first, input)),
      );
      const other = await Pkcs11KeyCustody.open(config);
      try {
        await other.destroyKey(label);
        await loadKnownKey(other, { label, algorithm: 'DES', usage: 'DERIVE' }, second);
      } finally {
        await other.close();
      }
      expect(bytesToHex(await custody.deriveDecoderKey(label, input))).toBe(
        bytesToHex(softwareDerive(second, input)),
      );
    });
  });
});

/** Runs libs/hsm/test/support/token-worker.ts in a child process; resolves its JSON line. */
function runWorker(args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--require',
        join(REPO_ROOT, 'keys-dev', 'register-ts.js'),
        join(__dirname, 'support', 'token-worker.ts'),
        ...args,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ...token.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`worker printed no result: ${stderr.slice(0, 500)}`));
      }
    });
  });
}
