/** @jest-environment ./libs/hsm/test/support/softhsm-environment.js */
import * as pkcs11js from 'pkcs11js';
import { Pkcs11KeyCustody } from '@sts/hsm';
import { CallWorkers, type WorkerCall, outputBuffer } from '../src/pkcs11/call-workers';
import { pkcs11CodeOf } from '../src/pkcs11/errors';
import { testToken } from './support/softhsm';

/**
 * The worker threads that make the calls pkcs11js offers only synchronously, against SoftHSM
 * initialized by this (main) thread: results as from a direct call, the module's failures as
 * Pkcs11Errors with their CKR value, and nothing but the allowed calls.
 */
describe('CallWorkers', () => {
  const { config } = testToken();
  let custody: Pkcs11KeyCustody;
  let workers: CallWorkers;
  let pkcs11: pkcs11js.PKCS11;
  let session: Buffer;

  beforeAll(async () => {
    // Opening the custody initializes the module in this process, as the service does.
    custody = await Pkcs11KeyCustody.open(config);
    pkcs11 = new pkcs11js.PKCS11();
    pkcs11.load(config.modulePath);
    const [slot] = pkcs11
      .C_GetSlotList(true)
      .filter((s) => pkcs11.C_GetTokenInfo(s).label.trimEnd() === config.tokenLabel);
    session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    workers = new CallWorkers(config.modulePath, 2);
  });

  afterAll(async () => {
    workers.close();
    pkcs11.C_CloseSession(session);
    await custody.close();
  });

  it('runs a sequence in one message on a session opened by the main thread', async () => {
    const key = pkcs11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_DES2 },
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_VALUE, value: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') },
    ]);
    const [, encrypted] = await workers.sequence([
      ['C_EncryptInit', session, { mechanism: pkcs11js.CKM_DES3_ECB }, key],
      ['C_Encrypt', session, Buffer.alloc(8), outputBuffer(8)],
    ]);
    expect(Buffer.isBuffer(encrypted)).toBe(true);
    // DES of a zero block under 0123456789ABCDEF (single DES as K||K): check value D5D44F.
    expect((encrypted as Buffer).subarray(0, 3).toString('hex')).toBe('d5d44f');
    await workers.run('C_DestroyObject', session, key);
    const gone: unknown = await workers
      .run('C_GetAttributeValue', session, key, [{ type: pkcs11js.CKA_CLASS }])
      .catch((e: unknown) => e);
    expect(pkcs11CodeOf(gone)).toBe('CKR_OBJECT_HANDLE_INVALID');
  });

  it("answers the module's refusal as a Pkcs11Error with its CKR value", async () => {
    const error: unknown = await workers
      .run('C_EncryptInit', Buffer.alloc(8, 0xff), { mechanism: pkcs11js.CKM_DES3_ECB }, session)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pkcs11js.Pkcs11Error);
    expect(pkcs11CodeOf(error)).toBe('CKR_SESSION_HANDLE_INVALID');
  });

  it('refuses a function that is not on its list', async () => {
    await expect(workers.run('C_Login' as WorkerCall, session, 1, 'x')).rejects.toThrow(
      'C_Login is not run on a worker',
    );
  });

  it('fails the calls of a closed pool without touching the module', async () => {
    const closed = new CallWorkers(config.modulePath, 1);
    closed.close();
    const refused: unknown = await closed
      .run('C_GetAttributeValue', session, session, [{ type: pkcs11js.CKA_CLASS }])
      .catch((e: unknown) => e);
    expect(pkcs11CodeOf(refused)).toBe('CKR_CRYPTOKI_NOT_INITIALIZED');
  });
});
