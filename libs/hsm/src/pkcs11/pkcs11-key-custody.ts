import { createHash } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, Mechanism, PKCS11, Template } from 'pkcs11js';
import {
  type DerivationInput,
  derivedKeyBytes,
  dkga02Combine,
  dkga02Input,
  dkga04Message,
} from '@sts/core';
import { completeComponentSet, xorComponents } from '../ceremony';
import { decoderKeyCheckValue, kcvEquals, parseKcv, publicKeyCheckValue } from '../check-value';
import {
  type CompleteCeremonyOptions,
  type CustodyStatus,
  type KeyAlgorithm,
  type KeyCustody,
  type KeyInfo,
  type KeySpec,
  type SelfTestReport,
  type TokenStateChange,
  type WrappedKey,
  type GeneratedComponents,
  type ReleasedComponent,
  HsmError,
} from '../key-custody.port';
import {
  type ResolvedKeySpec,
  checkCeremonyId,
  checkComponent,
  checkComponentCount,
  checkComponentIndex,
  checkDerivationKey,
  checkEa09,
  checkLabel,
  fromStsInput,
  preflightSecretKeySpec,
  resolveSecretKeySpec,
} from '../key-spec';
import {
  destroyComponent,
  destroyComponents,
  listComponents,
  openComponent,
  storeComponentObjects,
} from './ceremony-store';
import { type Pkcs11Config, resolvePkcs11Config } from './config';
import { type TokenConnection, acquireConnection } from './connection';
import { type CallWorkers, type TokenCall, outputBuffer } from './call-workers';
import { pkcs11CodeOf, toHsmError } from './errors';
import { type CachedKey, FRESHNESS_MS } from './key-cache';
import {
  type ShareRef,
  MIN_TOKEN_HMAC_BYTES,
  checkValueInToken,
  destroyQuietly,
  findShare,
  openShareCalls,
  persistVerifiedKey,
  sessionKeyTemplate,
  storeKeyFromValue,
  tokenValue,
} from './key-material';
import {
  AES_KEY_GEN,
  DES3_ECB,
  ECDSA,
  EC_KEY_PAIR_GEN,
  GENERIC_SECRET_KEY_GEN,
  P256_EC_PARAMS,
  SHA256_HMAC,
} from './mechanisms';
import {
  type FoundKey,
  describeObject,
  destroyAll,
  encodeDescriptor,
  findKey,
  findLabelled,
  findObjects,
  parseDescriptor,
  readBoolean,
  roleOf,
  secretKeyTemplate,
  shareLabel,
} from './objects';
import { type MechanismCapability, dataObjectCapability, tokenCapabilities } from './capabilities';
import { readInventory } from './inventory';
import { runSelfTest } from './self-test';
import type { InventoryEntry } from '../token-inventory';
import { publicKeySpki, spkiToPem, tokenSecretCheckValue } from './token-check-value';

/** Return values that mean "this cached handle no longer names an object". */
const STALE_HANDLE_CODES = new Set(['CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID']);

/**
 * `KeyCustody` over a PKCS#11 token with `pkcs11js` (issue 3, "the PKCS#11 implementation
 * (production)"). Open it with `Pkcs11KeyCustody.open(config)`: that finds the slot by token
 * label, logs in once for the process (connection.ts) and runs the self-test, whose report is
 * kept as `startupSelfTest` for `/health`.
 *
 * Keys are sensitive, non-extractable token objects found by label; object handles are cached
 * per process and looked up again when another process has replaced the object. Which values
 * pass through process memory, and why, is recorded in docs/hsm.md and ADR 0002.
 */
export class Pkcs11KeyCustody implements KeyCustody {
  readonly implementation = 'pkcs11';

  #connection: TokenConnection | undefined;
  #startupSelfTest: SelfTestReport | undefined;

  private constructor(connection: TokenConnection) {
    this.#connection = connection;
  }

  /**
   * Connects to the token named by `config` and runs the self-test. Throws UNAVAILABLE (module
   * missing, no such token, device failure after the bounded retry) or AUTHENTICATION_FAILED
   * (wrong PIN, never retried). A failed self-test does not throw: see `startupSelfTest`.
   */
  static async open(config: Pkcs11Config): Promise<Pkcs11KeyCustody> {
    const connection = await acquireConnection(resolvePkcs11Config(config));
    const custody = new Pkcs11KeyCustody(connection);
    custody.#startupSelfTest = await custody.selfTest();
    return custody;
  }

  /** The self-test report from `open` (the service's health check shows it). */
  get startupSelfTest(): SelfTestReport | undefined {
    return this.#startupSelfTest;
  }

  selfTest(): Promise<SelfTestReport> {
    return this.#call(() => {
      const connection = this.#open();
      const checks = runSelfTest(connection);
      const module = connection.pkcs11.C_GetInfo();
      const token = connection.tokenInfo;
      return {
        ok: checks.every((c) => c.ok),
        implementation: this.implementation,
        token: {
          label: token.label.trimEnd(),
          manufacturer: token.manufacturerID.trimEnd(),
          model: token.model.trimEnd(),
          serialNumber: token.serialNumber.trimEnd(),
          library: `${module.libraryDescription.trimEnd()} ${module.libraryVersion.major}.${module.libraryVersion.minor}`,
          libraryManufacturer: module.manufacturerID.trimEnd(),
        },
        checks,
        at: new Date().toISOString(),
      };
    });
  }

  listKeys(): Promise<KeyInfo[]> {
    return this.#session('listKeys', (pkcs11, session) => {
      const infos: KeyInfo[] = [];
      const candidates = [pkcs11js.CKO_SECRET_KEY, pkcs11js.CKO_PRIVATE_KEY].flatMap(
        (objectClass) =>
          findObjects(pkcs11, session, [
            { type: pkcs11js.CKA_TOKEN, value: true },
            { type: pkcs11js.CKA_CLASS, value: objectClass },
          ]),
      );
      for (const handle of candidates) {
        const found = describeObject(pkcs11, session, handle);
        if (found === undefined) continue;
        const [label] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }]);
        infos.push(this.#info(pkcs11, session, label.value.toString('utf8'), found));
      }
      return infos.sort((a, b) => a.label.localeCompare(b.label));
    });
  }

  inventory(): Promise<InventoryEntry[]> {
    return this.#session('inventory', (pkcs11, session) =>
      readInventory(pkcs11, session, (label, key) => this.#info(pkcs11, session, label, key)),
    );
  }

  describeKey(label: string): Promise<KeyInfo> {
    return this.#session('describeKey', (pkcs11, session) => {
      checkLabel(label);
      this.#forget(label);
      return this.#info(pkcs11, session, label, this.#resolve(pkcs11, session, label));
    });
  }

  destroyKey(label: string): Promise<void> {
    return this.#session('destroyKey', (pkcs11, session) => {
      checkLabel(label);
      this.#forget(label);
      if (findKey(pkcs11, session, label) === undefined) {
        throw new HsmError('NOT_FOUND', `no key labelled ${label}`);
      }
      const own = findLabelled(pkcs11, session, label).filter((handle) => {
        const [id] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
        return parseDescriptor(id.value) !== undefined;
      });
      destroyAll(pkcs11, session, [...own, ...findLabelled(pkcs11, session, shareLabel(label))]);
    });
  }

  generateKey(spec: KeySpec): Promise<KeyInfo> {
    return this.#session('generateKey', (pkcs11, session) => {
      const resolved = resolveSecretKeySpec(spec);
      this.#assertFree(pkcs11, session, resolved.label);
      const inToken =
        resolved.algorithm === 'AES' ||
        (resolved.algorithm === 'HMAC' && resolved.lengthBytes >= MIN_TOKEN_HMAC_BYTES);
      if (inToken) {
        pkcs11.C_GenerateKey(
          session,
          resolved.algorithm === 'AES' ? AES_KEY_GEN : GENERIC_SECRET_KEY_GEN,
          [
            ...secretKeyTemplate({
              role: roleOf(resolved)!,
              token: true,
              label: resolved.label,
              id: encodeDescriptor(resolved, resolved.label),
            }),
            { type: pkcs11js.CKA_VALUE_LEN, value: resolved.lengthBytes },
          ],
        );
      } else {
        // DES (the XOR share needs the value, ADR 0002) and HMAC keys shorter than SoftHSM's
        // minimum (zero-padded): the token's RNG, through process memory.
        const value = pkcs11.C_GenerateRandom(session, Buffer.alloc(resolved.lengthBytes));
        try {
          storeKeyFromValue(pkcs11, session, resolved, value, undefined);
        } finally {
          value.fill(0);
        }
      }
      return this.#info(
        pkcs11,
        session,
        resolved.label,
        this.#resolve(pkcs11, session, resolved.label),
      );
    });
  }

  generateSigningKey(label: string): Promise<KeyInfo & { publicKeyPem: string }> {
    return this.#session('generateSigningKey', (pkcs11, session) => {
      checkLabel(label);
      this.#assertFree(pkcs11, session, label);
      const id = encodeDescriptor({ algorithm: 'EC_P256', usage: 'SIGN', lengthBytes: 32 }, label);
      // Both halves read-only; the private key signs and does nothing else.
      const common: Template = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_MODIFIABLE, value: false },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
      ];
      const pair = pkcs11.C_GenerateKeyPair(
        session,
        EC_KEY_PAIR_GEN,
        [
          ...common,
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
          { type: pkcs11js.CKA_PRIVATE, value: false },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_VERIFY_RECOVER, value: false },
          { type: pkcs11js.CKA_ENCRYPT, value: false },
          { type: pkcs11js.CKA_WRAP, value: false },
          { type: pkcs11js.CKA_DERIVE, value: false },
          { type: pkcs11js.CKA_EC_PARAMS, value: P256_EC_PARAMS },
        ],
        [
          ...common,
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_SIGN_RECOVER, value: false },
          { type: pkcs11js.CKA_DECRYPT, value: false },
          { type: pkcs11js.CKA_UNWRAP, value: false },
          { type: pkcs11js.CKA_DERIVE, value: false },
        ],
      );
      const info = this.#info(pkcs11, session, label, this.#resolve(pkcs11, session, label));
      const publicKeyPem = spkiToPem(publicKeySpki(pkcs11, session, pair.publicKey));
      return { ...info, publicKeyPem };
    });
  }

  storeComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
  ): Promise<{ kcv: string }> {
    return this.#session('storeComponent', (pkcs11, session) =>
      this.#storeComponent(pkcs11, session, ceremonyId, index, algorithm, component, undefined),
    );
  }

  storeVerifiedComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
    expectedKcv: string,
  ): Promise<{ kcv: string }> {
    return this.#session('storeVerifiedComponent', (pkcs11, session) => {
      const expected = parseKcv(expectedKcv);
      return this.#storeComponent(
        pkcs11,
        session,
        ceremonyId,
        index,
        algorithm,
        component,
        expected,
      );
    });
  }

  completeCeremony(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
    expectedKcv: string,
    options?: CompleteCeremonyOptions,
  ): Promise<KeyInfo> {
    return this.#session('completeCeremony', (pkcs11, session) => {
      checkCeremonyId(ceremonyId);
      const stored = listComponents(pkcs11, session, ceremonyId);
      if (stored.length === 0) {
        throw new HsmError('NOT_FOUND', `no components stored for ceremony ${ceremonyId}`);
      }
      const values: Buffer[] = [];
      let combined: Buffer | undefined;
      try {
        checkComponentCount(count);
        const expected = parseKcv(expectedKcv);
        const parts = completeComponentSet(stored, count);
        const resolved = resolveSecretKeySpec(spec, parts[0].length);
        if (parts[0].algorithm !== resolved.algorithm) {
          throw new HsmError('INVALID_INPUT', 'spec.algorithm: differs from the components');
        }
        this.#assertFree(pkcs11, session, resolved.label);
        for (const part of parts) values.push(openComponent(pkcs11, session, part.payload));
        combined = xorComponents(values);
        storeKeyFromValue(pkcs11, session, resolved, combined, expected);
        return this.#info(
          pkcs11,
          session,
          resolved.label,
          this.#resolve(pkcs11, session, resolved.label),
        );
      } finally {
        for (const value of values) value.fill(0);
        combined?.fill(0);
        if (options?.keepComponents !== true) destroyComponents(pkcs11, session, ceremonyId);
      }
    });
  }

  abortCeremony(ceremonyId: string): Promise<void> {
    return this.#session('abortCeremony', (pkcs11, session) => {
      checkCeremonyId(ceremonyId);
      destroyComponents(pkcs11, session, ceremonyId);
    });
  }

  discardComponent(ceremonyId: string, index: number): Promise<void> {
    return this.#session('discardComponent', (pkcs11, session) => {
      checkCeremonyId(ceremonyId);
      checkComponentIndex(index);
      destroyComponent(pkcs11, session, ceremonyId, index);
    });
  }

  /**
   * Random components from the token's generator, each stored encrypted in the token as a
   * ceremony component; their XOR becomes the key. The values pass through process memory only
   * while being stored and combined, and are zeroed.
   */
  generateComponents(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
  ): Promise<GeneratedComponents> {
    return this.#session('generateComponents', (pkcs11, session) => {
      checkCeremonyId(ceremonyId);
      checkComponentCount(count);
      const resolved = resolveSecretKeySpec(spec);
      if (listComponents(pkcs11, session, ceremonyId).length > 0) {
        throw new HsmError('ALREADY_EXISTS', `ceremony ${ceremonyId} holds components already`);
      }
      this.#assertFree(pkcs11, session, resolved.label);
      const parts: Buffer[] = [];
      let combined: Buffer | undefined;
      try {
        const componentKcvs: string[] = [];
        for (let index = 1; index <= count; index++) {
          const part = pkcs11.C_GenerateRandom(session, Buffer.alloc(resolved.lengthBytes));
          parts.push(part);
          componentKcvs.push(checkValueInToken(pkcs11, session, resolved.algorithm, part));
          storeComponentObjects(pkcs11, session, ceremonyId, index, resolved.algorithm, part);
        }
        combined = xorComponents(parts);
        storeKeyFromValue(pkcs11, session, resolved, combined, undefined);
        const key = this.#info(
          pkcs11,
          session,
          resolved.label,
          this.#resolve(pkcs11, session, resolved.label),
        );
        return { key, componentKcvs };
      } catch (error) {
        destroyComponents(pkcs11, session, ceremonyId);
        throw error;
      } finally {
        for (const part of parts) part.fill(0);
        combined?.fill(0);
      }
    });
  }

  releaseComponent(ceremonyId: string, index: number): Promise<ReleasedComponent> {
    return this.#session('releaseComponent', (pkcs11, session) => {
      checkCeremonyId(ceremonyId);
      checkComponentIndex(index);
      const slot = listComponents(pkcs11, session, ceremonyId).find((s) => s.index === index);
      if (slot === undefined) {
        throw new HsmError(
          'NOT_FOUND',
          `component ${index} of ${ceremonyId} is not held (released already?)`,
        );
      }
      const value = openComponent(pkcs11, session, slot.payload);
      try {
        const kcv = checkValueInToken(
          pkcs11,
          session,
          checkComponent(slot.algorithm, value),
          value,
        );
        destroyAll(pkcs11, session, [slot.payload.data, slot.payload.key]);
        return { index, component: Uint8Array.from(value), kcv };
      } finally {
        value.fill(0);
      }
    });
  }

  importWrapped(
    kekLabel: string,
    wrapped: Uint8Array,
    spec: KeySpec,
    expectedKcv: string,
  ): Promise<KeyInfo> {
    return this.#session('importWrapped', (pkcs11, session) => {
      const expected = parseKcv(expectedKcv);
      const { label, algorithm } = preflightSecretKeySpec(spec);
      const kek = this.#withFresh(pkcs11, session, [kekLabel], ([k]) => k);
      if (kek.descriptor.usage !== 'UNWRAP') {
        throw new HsmError('NOT_PERMITTED', `key ${kekLabel} may not be used to unwrap`);
      }
      this.#assertFree(pkcs11, session, label);
      if (!(wrapped instanceof Uint8Array)) {
        throw new HsmError('INVALID_INPUT', 'wrapped: must be bytes');
      }
      const blob = Buffer.from(wrapped);
      if (algorithm === 'AES' || algorithm === 'HMAC') {
        const draft = unwrap(pkcs11, session, this.#open().keyWrap, kek.handle, blob, [
          ...secretKeyTemplate({
            role: algorithm === 'AES' ? 'kek' : 'vending-hmac',
            token: false,
          }),
        ]);
        try {
          const length = unwrappedLength(pkcs11, session, draft, blob, algorithm, spec.lengthBytes);
          if (algorithm === 'AES' || (length ?? 0) >= MIN_TOKEN_HMAC_BYTES) {
            const resolved = resolveSecretKeySpec(spec, length);
            this.#persistDraft(pkcs11, session, draft, resolved, expected);
            return this.#info(pkcs11, session, label, this.#resolve(pkcs11, session, label));
          }
        } finally {
          // The session draft goes either way; a verified key lives on as its token copy.
          destroyQuietly(pkcs11, session, [draft]);
        }
      }
      // DES (the XOR share needs the value, ADR 0002) and HMAC keys under 32 bytes (zero
      // padding needs CKM_CONCATENATE_*, which SoftHSM lacks): unwrap into a transient,
      // readable session object and store from process memory.
      const value = unwrapToMemory(pkcs11, session, this.#open().keyWrap, kek.handle, blob);
      try {
        const resolved = resolveSecretKeySpec(spec, value.length);
        storeKeyFromValue(pkcs11, session, resolved, value, expected);
        return this.#info(pkcs11, session, label, this.#resolve(pkcs11, session, label));
      } finally {
        value.fill(0);
      }
    });
  }

  async deriveDecoderKey(vendingKeyLabel: string, input: DerivationInput): Promise<Uint8Array> {
    const [key] = await this.#sessionAsync('deriveDecoderKey', (pkcs11, session) =>
      this.#derive(pkcs11, session, vendingKeyLabel, [input]),
    );
    return key;
  }

  /**
   * DKGA04 batches are split over up to `maxInFlight` sessions that work at once (one C_Sign per
   * input); a DKGA02 batch is one C_Encrypt over every block, in one session.
   */
  async deriveDecoderKeys(
    vendingKeyLabel: string,
    inputs: readonly DerivationInput[],
  ): Promise<Uint8Array[]> {
    const list: unknown = inputs;
    if (!Array.isArray(list)) throw new HsmError('INVALID_INPUT', 'inputs: must be an array');
    // Only the split depends on the algorithm; each part checks the key's freshness itself.
    const algorithm =
      this.#open().keyCache.get(vendingKeyLabel)?.found.descriptor.algorithm ??
      (await this.#sessionAsync('deriveDecoderKeys', (_pkcs11, session) =>
        this.#withFreshAsync(session, [vendingKeyLabel], ([key]) =>
          Promise.resolve(key.descriptor.algorithm),
        ),
      ));
    const parts = algorithm === 'HMAC' ? splitEvenly(inputs, this.#open().limit.max) : [inputs];
    const settled = await Promise.allSettled(
      parts.map((part) =>
        this.#sessionAsync('deriveDecoderKeys', (pkcs11, session) =>
          this.#derive(pkcs11, session, vendingKeyLabel, part),
        ),
      ),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure === undefined) {
      return settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    }
    for (const r of settled) if (r.status === 'fulfilled') for (const key of r.value) key.fill(0);
    throw failure.reason;
  }

  exportDecoderKey(
    vendingKeyLabel: string,
    input: DerivationInput,
    transportKeyLabel: string,
  ): Promise<WrappedKey> {
    return this.#sessionAsync('exportDecoderKey', async (pkcs11, session) => {
      const transport = await this.#withFreshAsync(session, [transportKeyLabel], ([t]) =>
        Promise.resolve(t),
      );
      if (transport.descriptor.usage !== 'WRAP') {
        throw new HsmError('NOT_PERMITTED', `key ${transportKeyLabel} may not be used to wrap`);
      }
      const [decoderKey] = await this.#derive(pkcs11, session, vendingKeyLabel, [input]);
      const carrierValue = Buffer.from(decoderKey);
      const workers = this.#open().workers;
      let carrier: Handle | undefined;
      try {
        carrier = await workers.run<Handle>(
          'C_CreateObject',
          session,
          sessionKeyTemplate('export-carrier', carrierValue),
        );
        const wrapped = await pkcs11.C_WrapKeyAsync(
          session,
          this.#open().keyWrap,
          await this.#workingAsync(session, transportKeyLabel),
          carrier,
          Buffer.alloc(decoderKey.length + 16),
        );
        // The decoder key is in process memory already (DKGA02's last step, ADR 0002; DKGA04's
        // HMAC output): its check value costs no further token objects.
        return { wrapped: Uint8Array.from(wrapped), kcv: decoderKeyCheckValue(decoderKey) };
      } finally {
        decoderKey.fill(0);
        carrierValue.fill(0);
        if (carrier !== undefined) await destroyOnWorker(workers, session, carrier);
      }
    });
  }

  exportKey(label: string, transportKeyLabel: string): Promise<WrappedKey> {
    return this.#session('exportKey', (pkcs11, session) =>
      this.#withFresh(pkcs11, session, [label, transportKeyLabel], ([key, transport]) => {
        if (transport.descriptor.usage !== 'WRAP') {
          throw new HsmError('NOT_PERMITTED', `key ${transportKeyLabel} may not be used to wrap`);
        }
        // Every key this adapter creates is CKA_EXTRACTABLE=false. SoftHSM refuses to wrap such
        // a key (CKR_KEY_UNEXTRACTABLE), but NSS's softokn 3.87 wraps it all the same: the
        // attribute is checked here too, so no token's leniency lets a stored key out.
        if (!readBoolean(pkcs11, session, key.handle, pkcs11js.CKA_EXTRACTABLE)) {
          throw new HsmError('NOT_PERMITTED', `key ${label} is not extractable`);
        }
        const wrapped = pkcs11.C_WrapKey(
          session,
          this.#open().keyWrap,
          transport.handle,
          key.handle,
          Buffer.alloc(1024),
        );
        return {
          wrapped: Uint8Array.from(wrapped),
          kcv: this.#info(pkcs11, session, label, key).kcv,
        };
      }),
    );
  }

  encryptEa09(decoderKey: Uint8Array, blocks: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return this.#sessionAsync('encryptEa09', async (_pkcs11, session) => {
      checkEa09(decoderKey, blocks);
      if (blocks.length === 0) return [];
      const stored = tokenValue('DES', decoderKey);
      const workers = this.#open().workers;
      let handle: Handle | undefined;
      try {
        handle = await workers.run<Handle>(
          'C_CreateObject',
          session,
          sessionKeyTemplate('work-des', stored),
        );
        const [, encrypted] = await workers.sequence([
          ['C_EncryptInit', session, DES3_ECB, handle],
          ['C_Encrypt', session, Buffer.concat(blocks), outputBuffer(blocks.length * 8)],
        ]);
        const out = encrypted as Buffer;
        return blocks.map((_, i) => Uint8Array.from(out.subarray(i * 8, i * 8 + 8)));
      } finally {
        stored.fill(0);
        if (handle !== undefined) await destroyOnWorker(workers, session, handle);
      }
    });
  }

  sign(label: string, data: Uint8Array): Promise<Uint8Array> {
    return this.#sessionAsync('sign', (_pkcs11, session) =>
      this.#withFreshAsync(session, [label], async ([key]) => {
        assertSigningKey(key, label);
        const digest = sha256(data);
        const [, signature] = await this.#open().workers.sequence([
          ['C_SignInit', session, ECDSA, key.handle],
          ['C_Sign', session, digest, outputBuffer(64)],
        ]);
        return Uint8Array.from(signature as Buffer);
      }),
    );
  }

  verify(label: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.#sessionAsync('verify', (pkcs11, session) =>
      this.#withFreshAsync(session, [label], async ([key]) => {
        assertSigningKey(key, label);
        const digest = sha256(data);
        if (!(signature instanceof Uint8Array)) {
          throw new HsmError('INVALID_INPUT', 'signature: must be bytes');
        }
        if (signature.length !== 64) return false;
        const publicKey = this.#publicKey(pkcs11, session, label);
        try {
          const [, valid] = await this.#open().workers.sequence([
            ['C_VerifyInit', session, ECDSA, publicKey],
            ['C_Verify', session, digest, Buffer.from(signature)],
          ]);
          return valid === true;
        } catch (error) {
          if (pkcs11CodeOf(error) === 'CKR_SIGNATURE_INVALID') return false;
          throw error;
        }
      }),
    );
  }

  publicKeyPem(label: string): Promise<string> {
    return this.#session('publicKeyPem', (pkcs11, session) =>
      this.#withFresh(pkcs11, session, [label], ([key]) => {
        assertSigningKey(key, label);
        return spkiToPem(publicKeySpki(pkcs11, session, this.#publicKey(pkcs11, session, label)));
      }),
    );
  }

  close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    return this.#call(() => connection?.release());
  }

  /**
   * Each mechanism the service needs: offered by this token or not, and what is refused
   * without it (the `hsm-probe` command and the start-up log show it).
   */
  capabilities(): Promise<MechanismCapability[]> {
    return this.#session('capabilities', (pkcs11, session) => [
      ...tokenCapabilities(pkcs11, this.#open().slot),
      dataObjectCapability(pkcs11, session),
    ]);
  }

  onStateChange(listener: (change: TokenStateChange) => void): () => void {
    return this.#open().health.subscribe(listener);
  }

  status(): CustodyStatus {
    const connection = this.#open();
    const { health, limit } = connection;
    return {
      state: health.state,
      since: health.since.toISOString(),
      ...(health.lastFault === undefined ? {} : { lastFault: health.lastFault }),
      reconnections: health.reconnections,
      inFlight: limit.inFlight,
      maxInFlight: limit.max,
      callTimeoutMs: connection.callTimeoutMs,
      latency: health.latency(),
    };
  }

  /** Runs `work` and turns a synchronous throw into a rejection (the port is async). */
  #call<T>(work: () => T | PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve) => resolve(work()));
  }

  #open(): TokenConnection {
    if (this.#connection === undefined) {
      throw new HsmError('UNAVAILABLE', 'key custody is closed');
    }
    return this.#connection;
  }

  /** `withSession` for one port operation (errors mapped in errors.ts). */
  #session<T>(operation: string, work: (pkcs11: PKCS11, session: Handle) => T): Promise<T> {
    return this.#call(() => {
      const connection = this.#open();
      return connection.withSession(operation, (session) => work(connection.pkcs11, session));
    });
  }

  /** `withSessionAsync` for one port operation: bounded in flight, timed out, errors mapped. */
  #sessionAsync<T>(
    operation: string,
    work: (pkcs11: PKCS11, session: Handle) => Promise<T>,
  ): Promise<T> {
    return this.#call(() => {
      const connection = this.#open();
      return connection.withSessionAsync(operation, (session) => work(connection.pkcs11, session));
    });
  }

  /** As {@link #withFresh} for work that awaits asynchronous token calls. */
  async #withFreshAsync<T>(
    session: Handle,
    labels: readonly string[],
    work: (keys: FoundKey[]) => Promise<T>,
  ): Promise<T> {
    for (const label of labels) checkLabel(label);
    const cached = labels.every((label) => this.#open().keyCache.has(label));
    const resolveAll = async (): Promise<FoundKey[]> => {
      const keys: FoundKey[] = [];
      for (const label of labels) keys.push((await this.#entryAsync(session, label)).found);
      return keys;
    };
    try {
      return await work(await resolveAll());
    } catch (error) {
      const code = pkcs11CodeOf(error);
      if (!cached || code === undefined || !STALE_HANDLE_CODES.has(code)) throw error;
      for (const label of labels) this.#forget(label);
      return await work(await resolveAll());
    }
  }

  /**
   * Runs `work` with the keys labelled `labels` from the handle cache; if a cached handle has
   * gone stale (another process destroyed or replaced the object), looks them up again and
   * retries once.
   */
  #withFresh<T>(
    pkcs11: PKCS11,
    session: Handle,
    labels: readonly string[],
    work: (keys: FoundKey[]) => T,
  ): T {
    for (const label of labels) checkLabel(label);
    const cached = labels.every((label) => this.#open().keyCache.has(label));
    try {
      return work(labels.map((label) => this.#resolve(pkcs11, session, label)));
    } catch (error) {
      const code = pkcs11CodeOf(error);
      if (!cached || code === undefined || !STALE_HANDLE_CODES.has(code)) throw error;
      for (const label of labels) this.#forget(label);
      return work(labels.map((label) => this.#resolve(pkcs11, session, label)));
    }
  }

  /**
   * The cache entry of the key labelled `label`: from the shared cache while fresh, else from
   * the token (key-cache.ts). NOT_FOUND if there is no such key.
   */
  #entry(pkcs11: PKCS11, session: Handle, label: string): CachedKey {
    const cache = this.#open().keyCache;
    const cached = cache.get(label);
    const now = Date.now();
    if (cached !== undefined) {
      if (now - cached.checkedAt < FRESHNESS_MS) return cached;
      try {
        const [id] = pkcs11.C_GetAttributeValue(session, cached.found.handle, [
          { type: pkcs11js.CKA_ID },
        ]);
        if (parseDescriptor(id.value)?.algorithm === cached.found.descriptor.algorithm) {
          cached.checkedAt = now;
          return cached;
        }
      } catch (error) {
        const code = pkcs11CodeOf(error);
        if (code === undefined || !STALE_HANDLE_CODES.has(code)) throw error;
      }
      this.#forget(label);
    }
    const found = findKey(pkcs11, session, label);
    if (found === undefined) {
      this.#open().assertTokenPresent();
      throw new HsmError('NOT_FOUND', `no key labelled ${label}`);
    }
    const entry: CachedKey = { found, checkedAt: now };
    cache.set(label, entry);
    return entry;
  }

  /**
   * As {@link #entry} without waiting on the event loop for a cached key: its freshness check
   * runs on a worker thread. A key not yet cached on this connection is looked up synchronously
   * (once per key and connection, docs/hsm.md).
   */
  async #entryAsync(session: Handle, label: string): Promise<CachedKey> {
    const connection = this.#open();
    const cached = connection.keyCache.get(label);
    const now = Date.now();
    if (cached !== undefined) {
      if (now - cached.checkedAt < FRESHNESS_MS) return cached;
      try {
        const [id] = await connection.workers.run<pkcs11js.Attribute[]>(
          'C_GetAttributeValue',
          session,
          cached.found.handle,
          [{ type: pkcs11js.CKA_ID }],
        );
        if (parseDescriptor(id.value as Buffer)?.algorithm === cached.found.descriptor.algorithm) {
          cached.checkedAt = now;
          return cached;
        }
      } catch (error) {
        const code = pkcs11CodeOf(error);
        if (code === undefined || !STALE_HANDLE_CODES.has(code)) throw error;
      }
      if (connection.keyCache.get(label) === cached) this.#forget(label);
    }
    return this.#entry(connection.pkcs11, session, label);
  }

  /** The key labelled `label` (cache, then token); NOT_FOUND if there is none. */
  #resolve(pkcs11: PKCS11, session: Handle, label: string): FoundKey {
    return this.#entry(pkcs11, session, label).found;
  }

  /**
   * The handle hot operations use for a secret key: its session working copy, made on first use,
   * or the token object itself when the token does not copy it (key-cache.ts).
   */
  #working(pkcs11: PKCS11, session: Handle, label: string): Handle {
    const entry = this.#entry(pkcs11, session, label);
    if (entry.working === undefined) {
      entry.working = this.#open().copyToSession(entry.found.handle) ?? null;
    }
    return entry.working ?? entry.found.handle;
  }

  /** As {@link #working}, the cached key's freshness checked off the event loop. */
  async #workingAsync(session: Handle, label: string): Promise<Handle> {
    await this.#entryAsync(session, label);
    return this.#working(this.#open().pkcs11, session, label);
  }

  #publicKey(pkcs11: PKCS11, session: Handle, label: string): Handle {
    const entry = this.#entry(pkcs11, session, label);
    if (entry.publicKey !== undefined) return entry.publicKey;
    const [handle] = findLabelled(pkcs11, session, label, pkcs11js.CKO_PUBLIC_KEY);
    if (handle === undefined) throw new HsmError('NOT_FOUND', `no public key labelled ${label}`);
    entry.publicKey = handle;
    return handle;
  }

  /** The DKGA02 share of `label`, its AES key as for {@link #working} (ADR 0002). */
  #share(pkcs11: PKCS11, session: Handle, label: string): ShareRef {
    const entry = this.#entry(pkcs11, session, label);
    entry.share ??= findShare(pkcs11, session, label);
    if (entry.shareWorking === undefined) {
      entry.shareWorking = this.#open().copyToSession(entry.share.key) ?? null;
    }
    return { key: entry.shareWorking ?? entry.share.key, blob: entry.share.blob };
  }

  /** Drops the cache entry of `label` and destroys its working copies. */
  #forget(label: string): void {
    const connection = this.#open();
    const entry = connection.keyCache.get(label);
    if (entry === undefined) return;
    connection.keyCache.delete(label);
    const copies = [entry.working, entry.shareWorking].filter(
      (h): h is Handle => h !== undefined && h !== null,
    );
    if (copies.length > 0) {
      connection.withSession('forget', (session) =>
        destroyQuietly(connection.pkcs11, session, copies),
      );
    }
  }

  #assertFree(pkcs11: PKCS11, session: Handle, label: string): void {
    if (findKey(pkcs11, session, label) !== undefined) {
      throw new HsmError('ALREADY_EXISTS', `a key labelled ${label} exists already`);
    }
  }

  /** A key's description as the token reports it; the check value is computed now. */
  #info(pkcs11: PKCS11, session: Handle, label: string, key: FoundKey): KeyInfo {
    const { algorithm, usage, lengthBytes } = key.descriptor;
    const kcv =
      algorithm === 'EC_P256'
        ? publicKeyCheckValue(
            publicKeySpki(pkcs11, session, this.#publicKey(pkcs11, session, label)),
          )
        : tokenSecretCheckValue(pkcs11, session, key.handle, algorithm);
    return {
      label,
      algorithm,
      usage,
      lengthBytes,
      kcv,
      sensitive: readBoolean(pkcs11, session, key.handle, pkcs11js.CKA_SENSITIVE),
      extractable: readBoolean(pkcs11, session, key.handle, pkcs11js.CKA_EXTRACTABLE),
    };
  }

  #persistDraft(
    pkcs11: PKCS11,
    session: Handle,
    draft: Handle,
    spec: ResolvedKeySpec,
    expectedKcv: string,
  ): void {
    pkcs11.C_SetAttributeValue(session, draft, [
      { type: pkcs11js.CKA_LABEL, value: spec.label },
      { type: pkcs11js.CKA_ID, value: encodeDescriptor(spec, spec.label) },
    ]);
    persistVerifiedKey(pkcs11, session, draft, spec.algorithm, expectedKcv);
  }

  #storeComponent(
    pkcs11: PKCS11,
    session: Handle,
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
    expectedKcv: string | undefined,
  ): { kcv: string } {
    checkCeremonyId(ceremonyId);
    checkComponentIndex(index);
    const checked = checkComponent(algorithm, component);
    const stored = listComponents(pkcs11, session, ceremonyId);
    if (stored.some((s) => s.algorithm !== checked || s.length !== component.length)) {
      throw new HsmError('INVALID_INPUT', 'component: algorithm or length differs from the others');
    }
    if (stored.some((s) => s.index === index)) {
      throw new HsmError('ALREADY_EXISTS', `component ${index} of ${ceremonyId} is stored already`);
    }
    const kcv = checkValueInToken(pkcs11, session, checked, component);
    if (expectedKcv !== undefined && !kcvEquals(kcv, expectedKcv)) {
      throw new HsmError(
        'CHECK_VALUE_MISMATCH',
        `component ${index} does not match its check value`,
      );
    }
    storeComponentObjects(pkcs11, session, ceremonyId, index, checked, component);
    return { kcv };
  }

  /**
   * STS-SPEC §12.2/§12.3 through the token. DKGA04: C_Sign with CKM_SHA256_HMAC per input.
   * DKGA02: one C_Encrypt (CKM_DES3_ECB, K||K) over every input block, then the final XOR with
   * the vending key's value, opened from its share for this call only (ADR 0002).
   */
  #derive(
    pkcs11: PKCS11,
    session: Handle,
    label: string,
    inputs: readonly DerivationInput[],
  ): Promise<Uint8Array[]> {
    const list: unknown = inputs;
    if (!Array.isArray(list)) throw new HsmError('INVALID_INPUT', 'inputs: must be an array');
    return this.#withFreshAsync(session, [label], ([key]) => {
      const info = { label, ...key.descriptor, kcv: '', sensitive: true, extractable: false };
      for (const input of inputs) checkDerivationKey(info, input);
      if (inputs.length === 0) return Promise.resolve([]);
      // Building the token inputs validates them (StsError -> INVALID_INPUT) before any call.
      if (key.descriptor.algorithm === 'HMAC') {
        const messages = inputs.map((input) => fromStsInput(() => dkga04Message(input)));
        const lengths = inputs.map((input) => derivedKeyBytes(input));
        return deriveDkga04(
          this.#open().workers,
          session,
          this.#working(pkcs11, session, label),
          messages,
          lengths,
        );
      }
      const blocks = inputs.map((input) => fromStsInput(() => dkga02Input(input)));
      return this.#deriveDkga02(session, label, this.#working(pkcs11, session, label), blocks);
    });
  }

  /**
   * One message to a worker thread runs the whole batch in the token: the DES encryption of
   * every block, then the share's decryption (openShareCalls).
   */
  async #deriveDkga02(
    session: Handle,
    label: string,
    handle: Handle,
    blocks: readonly Uint8Array[],
  ): Promise<Uint8Array[]> {
    const data = Buffer.concat(blocks);
    const pkcs11 = this.#open().pkcs11;
    let results: unknown[] | undefined;
    try {
      results = await this.#open().workers.sequence([
        ['C_EncryptInit', session, DES3_ECB, handle],
        ['C_Encrypt', session, data, outputBuffer(data.length)],
        ...openShareCalls(session, this.#share(pkcs11, session, label)),
      ]);
      const des = results[1] as Buffer;
      const vendingKey = results[3] as Buffer;
      // dkga02Combine allocates each result; the outputs are zeroed below.
      return blocks.map((x, i) => dkga02Combine(des.subarray(i * 8, i * 8 + 8), x, vendingKey));
    } finally {
      if (results !== undefined) zeroOutputs(results);
      data.fill(0);
      for (const block of blocks) block.fill(0);
    }
  }
}

/**
 * DKGA04 (STS-SPEC §12.3): the first 8 or 16 bytes of HMAC-SHA-256 computed by the token, every
 * input of the part in one message to a worker thread.
 */
async function deriveDkga04(
  workers: CallWorkers,
  session: Handle,
  handle: Handle,
  messages: readonly Uint8Array[],
  lengths: readonly number[],
): Promise<Uint8Array[]> {
  const calls: TokenCall[] = messages.flatMap((message): TokenCall[] => [
    ['C_SignInit', session, SHA256_HMAC, handle],
    ['C_Sign', session, message, outputBuffer(32)],
  ]);
  const results = await workers.sequence(calls);
  try {
    return lengths.map((length, i) =>
      Uint8Array.from((results[2 * i + 1] as Buffer).subarray(0, length)),
    );
  } finally {
    zeroOutputs(results);
  }
}

/** Zeroes every byte array among a worker sequence's results (outputs come whole, by transfer). */
function zeroOutputs(results: readonly unknown[]): void {
  for (const result of results) {
    if (result instanceof Uint8Array) new Uint8Array(result.buffer).fill(0);
  }
}

/** Destroys a transient session object on a worker thread; a failure leaves it to the session. */
async function destroyOnWorker(
  workers: CallWorkers,
  session: Handle,
  handle: Handle,
): Promise<void> {
  try {
    await workers.run('C_DestroyObject', session, handle);
  } catch {
    // Session objects go with their session; the operation's own outcome matters more.
  }
}

/** `items` in at most `parts` consecutive slices of nearly equal length (none empty). */
function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const count = Math.max(1, Math.min(parts, items.length));
  const size = Math.ceil(items.length / count);
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices.length === 0 ? [[]] : slices;
}

/** C_UnwrapKey with RFC 5649; a failed integrity check is INVALID_INPUT (errors.ts 'unwrap'). */
function unwrap(
  pkcs11: PKCS11,
  session: Handle,
  mechanism: Mechanism,
  kek: Handle,
  blob: Buffer,
  template: Template,
): Handle {
  try {
    return pkcs11.C_UnwrapKey(session, mechanism, kek, blob, template);
  } catch (error) {
    throw toHsmError(error, 'unwrap', 'unwrap');
  }
}

/** Unwraps into a transient readable session object, reads the value, destroys the object. */
function unwrapToMemory(
  pkcs11: PKCS11,
  session: Handle,
  mechanism: Mechanism,
  kek: Handle,
  blob: Buffer,
): Buffer {
  const handle = unwrap(pkcs11, session, mechanism, kek, blob, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_SENSITIVE, value: false },
    { type: pkcs11js.CKA_EXTRACTABLE, value: true },
  ]);
  try {
    const [value] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]);
    return value.value;
  } finally {
    destroyQuietly(pkcs11, session, [handle]);
  }
}

/**
 * The length of an unwrapped key. SoftHSM 2.6.1 leaves CKA_VALUE_LEN at 0 on unwrapped keys,
 * so the RFC 5649 blob bounds it instead: the key is 1 to 7 bytes shorter than `blob - 8`, or
 * exactly that when its length is a multiple of 8 (every AES key). For HMAC keys a declared
 * length inside the bounds is taken; an HMAC length that is not declared is unknown (undefined).
 */
function unwrappedLength(
  pkcs11: PKCS11,
  session: Handle,
  handle: Handle,
  blob: Buffer,
  algorithm: 'AES' | 'HMAC',
  declared: number | undefined,
): number | undefined {
  const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_VALUE_LEN },
  ]);
  const reported = Number(attribute.value.readBigUInt64LE(0));
  if (reported > 0) return reported;
  const upper = blob.length - 8;
  if (algorithm === 'AES') return upper;
  if (declared === undefined) return undefined;
  return declared <= upper && declared > upper - 8 ? declared : upper;
}

function assertSigningKey(key: FoundKey, label: string): void {
  if (key.descriptor.algorithm !== 'EC_P256') {
    throw new HsmError('NOT_PERMITTED', `key ${label} is not a signing key`);
  }
}

function sha256(data: Uint8Array): Buffer {
  if (!(data instanceof Uint8Array)) throw new HsmError('INVALID_INPUT', 'data: must be bytes');
  return createHash('sha256').update(data).digest();
}
