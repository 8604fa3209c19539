import {
  type KeyObject,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  sign as signData,
  verify as verifySignature,
} from 'node:crypto';
import {
  type DerivationInput,
  DesCipher,
  blockToBytes,
  bytesToBlock,
  deriveDecoderKey as softwareDerive,
  hexToBytes,
} from '@sts/core';
import { type ComponentSlot, completeComponentSet, xorComponents } from '../ceremony';
import {
  decoderKeyCheckValue,
  kcvEquals,
  parseKcv,
  publicKeyCheckValue,
  secretKeyCheckValue,
} from '../check-value';
import {
  type CompleteCeremonyOptions,
  type GeneratedComponents,
  type KeyAlgorithm,
  type KeyCustody,
  type KeyInfo,
  type ReleasedComponent,
  type KeySpec,
  type SelfTestCheck,
  type SelfTestReport,
  type WrappedKey,
  HsmError,
} from '../key-custody.port';
import {
  type SecretAlgorithm,
  checkCeremonyId,
  checkComponent,
  checkComponentCount,
  checkComponentIndex,
  checkDerivationInput,
  checkDerivationKey,
  checkEa09,
  checkLabel,
  fromStsInput,
  preflightSecretKeySpec,
  resolveSecretKeySpec,
} from '../key-spec';
import { aesKeyUnwrapPad, aesKeyWrapPad } from '../key-wrap';
import { expectedKeyShape, type InventoryEntry } from '../token-inventory';
import {
  DES_KAT_KCV,
  DES_KAT_KEY,
  RFC4231_DATA,
  RFC4231_KEY,
  RFC4231_MAC,
  SELF_TEST_CHECKS,
} from '../known-answers';

/**
 * Options of the in-memory adapter. The flag is required so that the adapter cannot be chosen
 * by accident: the key service binds it only in unit tests, never from configuration.
 */
export interface InMemoryKeyCustodyOptions {
  /** Must be `true`: keys live in ordinary process memory, with no protection at all. */
  readonly allowInsecureInMemoryKeys: true;
}

interface SecretEntry {
  readonly kind: 'secret';
  readonly info: KeyInfo;
  readonly value: Buffer;
}

interface SigningEntry {
  readonly kind: 'signing';
  readonly info: KeyInfo;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

type Entry = SecretEntry | SigningEntry;

type StoredComponent = ComponentSlot<Buffer>;

/**
 * `KeyCustody` in process memory with node:crypto and `@sts/core`: the same behaviour and the
 * same `HsmError` codes as the PKCS#11 adapter, for fast unit tests (issue 3, "in-memory
 * implementation ... never selectable in production").
 *
 * INSECURE BY DESIGN. Keys are plain buffers in the heap. The constructor requires
 * `{ allowInsecureInMemoryKeys: true }` and refuses to run when `NODE_ENV` is `production`.
 */
export class InMemoryKeyCustody implements KeyCustody {
  readonly implementation = 'memory';

  readonly #keys = new Map<string, Entry>();
  readonly #ceremonies = new Map<string, Map<number, StoredComponent>>();
  #closed = false;

  constructor(options: InMemoryKeyCustodyOptions) {
    if ((options as { allowInsecureInMemoryKeys?: unknown })?.allowInsecureInMemoryKeys !== true) {
      throw new HsmError(
        'NOT_PERMITTED',
        'InMemoryKeyCustody holds keys in plain memory: pass { allowInsecureInMemoryKeys: true } (tests only)',
      );
    }
    if (process.env.NODE_ENV === 'production') {
      throw new HsmError('NOT_PERMITTED', 'InMemoryKeyCustody is refused when NODE_ENV=production');
    }
  }

  /** Known-answer checks of the software primitives (same names as the PKCS#11 self-test). */
  selfTest(): Promise<SelfTestReport> {
    return this.#run(() => {
      const checks: SelfTestCheck[] = [
        knownAnswer(
          SELF_TEST_CHECKS.des2Kcv,
          () => secretKeyCheckValue('DES', hexToBytes('key', DES_KAT_KEY)) === DES_KAT_KCV,
        ),
        knownAnswer(SELF_TEST_CHECKS.hmacRfc4231, () => {
          const mac = createHmac('sha256', RFC4231_KEY).update(RFC4231_DATA).digest('hex');
          return mac === RFC4231_MAC;
        }),
        knownAnswer(SELF_TEST_CHECKS.keyWrapRoundTrip, () => {
          const kek = randomBytes(32);
          const key = randomBytes(20);
          const back = aesKeyUnwrapPad(kek, aesKeyWrapPad(kek, key));
          try {
            return Buffer.from(back.buffer, back.byteOffset, back.length).equals(key);
          } finally {
            back.fill(0);
            key.fill(0);
            kek.fill(0);
          }
        }),
      ];
      return {
        ok: checks.every((c) => c.ok),
        implementation: this.implementation,
        token: { label: 'memory' },
        checks,
        at: new Date().toISOString(),
      };
    });
  }

  /** The port's key shapes: this adapter holds no attributes beyond its keys' descriptions. */
  inventory(): Promise<InventoryEntry[]> {
    return this.#run(() =>
      [...this.#keys.values()]
        .map(({ info }): InventoryEntry => {
          const shape = expectedKeyShape(info.algorithm, info.usage);
          return {
            ...info,
            objectClass: shape.objectClass,
            keyType: shape.keyType,
            attributes: {
              ...shape.attributes,
              sensitive: info.sensitive,
              extractable: info.extractable,
            },
            ...(info.algorithm === 'DES' ? { dkga02Share: true } : {}),
          };
        })
        .sort((a, b) => a.label.localeCompare(b.label)),
    );
  }

  listKeys(): Promise<KeyInfo[]> {
    return this.#run(() => {
      return [...this.#keys.values()]
        .map((e) => e.info)
        .sort((a, b) => a.label.localeCompare(b.label));
    });
  }

  describeKey(label: string): Promise<KeyInfo> {
    return this.#run(() => {
      return this.#find(label).info;
    });
  }

  destroyKey(label: string): Promise<void> {
    return this.#run(() => {
      const entry = this.#find(label);
      if (entry.kind === 'secret') entry.value.fill(0);
      this.#keys.delete(entry.info.label);
    });
  }

  generateKey(spec: KeySpec): Promise<KeyInfo> {
    return this.#run(() => {
      const resolved = resolveSecretKeySpec(spec);
      this.#assertFree(resolved.label);
      const value = randomBytes(resolved.lengthBytes);
      try {
        return this.#storeSecret(resolved.label, resolved.algorithm, resolved.usage, value);
      } finally {
        value.fill(0);
      }
    });
  }

  generateSigningKey(label: string): Promise<KeyInfo & { publicKeyPem: string }> {
    return this.#run(() => {
      checkLabel(label);
      this.#assertFree(label);
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const spki = publicKey.export({ type: 'spki', format: 'der' });
      const info: KeyInfo = {
        label,
        algorithm: 'EC_P256',
        usage: 'SIGN',
        lengthBytes: 32,
        kcv: publicKeyCheckValue(spki),
        sensitive: true,
        extractable: false,
      };
      this.#keys.set(label, { kind: 'signing', info, privateKey, publicKeyPem });
      return { ...info, publicKeyPem };
    });
  }

  storeComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
  ): Promise<{ kcv: string }> {
    return this.#run(() => {
      return this.#storeComponent(ceremonyId, index, algorithm, component, undefined);
    });
  }

  storeVerifiedComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
    expectedKcv: string,
  ): Promise<{ kcv: string }> {
    return this.#run(() => {
      return this.#storeComponent(ceremonyId, index, algorithm, component, parseKcv(expectedKcv));
    });
  }

  completeCeremony(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
    expectedKcv: string,
    options?: CompleteCeremonyOptions,
  ): Promise<KeyInfo> {
    return this.#run(() => {
      checkCeremonyId(ceremonyId);
      const components = this.#ceremonies.get(ceremonyId);
      if (components === undefined) {
        throw new HsmError('NOT_FOUND', `no components stored for ceremony ${ceremonyId}`);
      }
      let combined: Buffer | undefined;
      try {
        checkComponentCount(count);
        const expected = parseKcv(expectedKcv);
        const parts = completeComponentSet([...components.values()], count);
        const resolved = resolveSecretKeySpec(spec, parts[0].length);
        if (parts[0].algorithm !== resolved.algorithm) {
          throw new HsmError('INVALID_INPUT', 'spec.algorithm: differs from the components');
        }
        this.#assertFree(resolved.label);
        combined = xorComponents(parts.map((p) => p.payload));
        const kcv = secretKeyCheckValue(resolved.algorithm, combined);
        if (!kcvEquals(kcv, expected)) {
          throw new HsmError('CHECK_VALUE_MISMATCH', 'combined key does not match its check value');
        }
        return this.#storeSecret(resolved.label, resolved.algorithm, resolved.usage, combined);
      } finally {
        combined?.fill(0);
        if (options?.keepComponents !== true) this.#dropCeremony(ceremonyId);
      }
    });
  }

  abortCeremony(ceremonyId: string): Promise<void> {
    return this.#run(() => {
      checkCeremonyId(ceremonyId);
      this.#dropCeremony(ceremonyId);
    });
  }

  discardComponent(ceremonyId: string, index: number): Promise<void> {
    return this.#run(() => {
      checkCeremonyId(ceremonyId);
      checkComponentIndex(index);
      const components = this.#ceremonies.get(ceremonyId);
      const stored = components?.get(index);
      if (components === undefined || stored === undefined) return;
      stored.payload.fill(0);
      components.delete(index);
      if (components.size === 0) this.#ceremonies.delete(ceremonyId);
    });
  }

  generateComponents(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
  ): Promise<GeneratedComponents> {
    return this.#run(() => {
      checkCeremonyId(ceremonyId);
      checkComponentCount(count);
      const resolved = resolveSecretKeySpec(spec);
      if (this.#ceremonies.has(ceremonyId)) {
        throw new HsmError('ALREADY_EXISTS', `ceremony ${ceremonyId} holds components already`);
      }
      this.#assertFree(resolved.label);
      const parts: Buffer[] = [];
      let combined: Buffer | undefined;
      try {
        const componentKcvs: string[] = [];
        for (let index = 1; index <= count; index++) {
          const part = randomBytes(resolved.lengthBytes);
          parts.push(part);
          componentKcvs.push(
            this.#storeComponent(ceremonyId, index, resolved.algorithm, part, undefined).kcv,
          );
        }
        combined = xorComponents(parts);
        const key = this.#storeSecret(resolved.label, resolved.algorithm, resolved.usage, combined);
        return { key, componentKcvs };
      } catch (error) {
        this.#dropCeremony(ceremonyId);
        throw error;
      } finally {
        for (const part of parts) part.fill(0);
        combined?.fill(0);
      }
    });
  }

  releaseComponent(ceremonyId: string, index: number): Promise<ReleasedComponent> {
    return this.#run(() => {
      checkCeremonyId(ceremonyId);
      checkComponentIndex(index);
      const components = this.#ceremonies.get(ceremonyId);
      const stored = components?.get(index);
      if (components === undefined || stored === undefined) {
        throw new HsmError(
          'NOT_FOUND',
          `component ${index} of ${ceremonyId} is not held (released already?)`,
        );
      }
      const component = Uint8Array.from(stored.payload);
      const kcv = secretKeyCheckValue(
        checkComponent(stored.algorithm, stored.payload),
        stored.payload,
      );
      stored.payload.fill(0);
      components.delete(index);
      if (components.size === 0) this.#ceremonies.delete(ceremonyId);
      return { index, component, kcv };
    });
  }

  importWrapped(
    kekLabel: string,
    wrapped: Uint8Array,
    spec: KeySpec,
    expectedKcv: string,
  ): Promise<KeyInfo> {
    return this.#run(() => {
      const expected = parseKcv(expectedKcv);
      const { label } = preflightSecretKeySpec(spec);
      const kek = this.#secret(kekLabel, 'UNWRAP');
      this.#assertFree(label);
      if (!(wrapped instanceof Uint8Array)) {
        throw new HsmError('INVALID_INPUT', 'wrapped: must be bytes');
      }
      const value = Buffer.from(aesKeyUnwrapPad(kek.value, wrapped));
      try {
        const resolved = resolveSecretKeySpec(spec, value.length);
        const kcv = secretKeyCheckValue(resolved.algorithm, value);
        if (!kcvEquals(kcv, expected)) {
          throw new HsmError('CHECK_VALUE_MISMATCH', 'imported key does not match its check value');
        }
        return this.#storeSecret(resolved.label, resolved.algorithm, resolved.usage, value);
      } finally {
        value.fill(0);
      }
    });
  }

  deriveDecoderKey(vendingKeyLabel: string, input: DerivationInput): Promise<Uint8Array> {
    return this.#run(() => {
      return this.#derive(vendingKeyLabel, [input])[0];
    });
  }

  deriveDecoderKeys(
    vendingKeyLabel: string,
    inputs: readonly DerivationInput[],
  ): Promise<Uint8Array[]> {
    return this.#run(() => {
      return this.#derive(vendingKeyLabel, inputs);
    });
  }

  exportDecoderKey(
    vendingKeyLabel: string,
    input: DerivationInput,
    transportKeyLabel: string,
  ): Promise<WrappedKey> {
    return this.#run(() => {
      const transport = this.#secret(transportKeyLabel, 'WRAP');
      const [decoderKey] = this.#derive(vendingKeyLabel, [input]);
      try {
        return {
          wrapped: aesKeyWrapPad(transport.value, decoderKey),
          kcv: decoderKeyCheckValue(decoderKey),
        };
      } finally {
        decoderKey.fill(0);
      }
    });
  }

  exportKey(label: string, transportKeyLabel: string): Promise<WrappedKey> {
    return this.#run(() => {
      this.#find(label);
      this.#secret(transportKeyLabel, 'WRAP');
      throw new HsmError('NOT_PERMITTED', `key ${label} is not extractable`);
    });
  }

  encryptEa09(decoderKey: Uint8Array, blocks: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return this.#run(() => {
      checkEa09(decoderKey, blocks);
      const cipher = new DesCipher(decoderKey);
      try {
        return blocks.map((b) => {
          const block = bytesToBlock(b);
          cipher.encryptBlock(block);
          return blockToBytes(block);
        });
      } finally {
        cipher.dispose();
      }
    });
  }

  sign(label: string, data: Uint8Array): Promise<Uint8Array> {
    return this.#run(() => {
      const entry = this.#signing(label);
      checkBytes(data, 'data');
      return Uint8Array.from(
        signData('sha256', data, { key: entry.privateKey, dsaEncoding: 'ieee-p1363' }),
      );
    });
  }

  verify(label: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.#run(() => {
      const entry = this.#signing(label);
      checkBytes(data, 'data');
      checkBytes(signature, 'signature');
      if (signature.length !== 64) return false;
      return verifySignature(
        'sha256',
        data,
        { key: entry.publicKeyPem, dsaEncoding: 'ieee-p1363' },
        signature,
      );
    });
  }

  publicKeyPem(label: string): Promise<string> {
    return this.#run(() => {
      return this.#signing(label).publicKeyPem;
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const entry of this.#keys.values()) if (entry.kind === 'secret') entry.value.fill(0);
    this.#keys.clear();
    for (const id of [...this.#ceremonies.keys()]) this.#dropCeremony(id);
    return Promise.resolve();
  }

  /** Runs `operation` if the adapter is open; its errors become rejections, as a token's would. */
  #run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      this.#assertOpen();
      resolve(operation());
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new HsmError('UNAVAILABLE', 'key custody is closed');
  }

  #find(label: string): Entry {
    checkLabel(label);
    const entry = this.#keys.get(label);
    if (entry === undefined) throw new HsmError('NOT_FOUND', `no key labelled ${label}`);
    return entry;
  }

  #assertFree(label: string): void {
    if (this.#keys.has(label)) {
      throw new HsmError('ALREADY_EXISTS', `a key labelled ${label} exists already`);
    }
  }

  /** A secret key that must have `usage` (NOT_PERMITTED otherwise, as the token refuses). */
  #secret(label: string, usage: 'WRAP' | 'UNWRAP' | 'DERIVE'): SecretEntry {
    const entry = this.#find(label);
    if (entry.kind !== 'secret' || entry.info.usage !== usage) {
      throw new HsmError('NOT_PERMITTED', `key ${label} may not be used to ${usage.toLowerCase()}`);
    }
    return entry;
  }

  #signing(label: string): SigningEntry {
    const entry = this.#find(label);
    if (entry.kind !== 'signing') {
      throw new HsmError('NOT_PERMITTED', `key ${label} is not a signing key`);
    }
    return entry;
  }

  #storeSecret(
    label: string,
    algorithm: SecretAlgorithm,
    usage: KeyInfo['usage'],
    value: Uint8Array,
  ): KeyInfo {
    const info: KeyInfo = {
      label,
      algorithm,
      usage,
      lengthBytes: value.length,
      kcv: secretKeyCheckValue(algorithm, value),
      sensitive: true,
      extractable: false,
    };
    this.#keys.set(label, { kind: 'secret', info, value: Buffer.from(value) });
    return info;
  }

  #storeComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
    expectedKcv: string | undefined,
  ): { kcv: string } {
    checkCeremonyId(ceremonyId);
    checkComponentIndex(index);
    const checked = checkComponent(algorithm, component);
    const components = this.#ceremonies.get(ceremonyId) ?? new Map<number, StoredComponent>();
    const first = components.values().next();
    if (
      !first.done &&
      (first.value.algorithm !== checked || first.value.length !== component.length)
    ) {
      throw new HsmError('INVALID_INPUT', 'component: algorithm or length differs from the others');
    }
    if (components.has(index)) {
      throw new HsmError('ALREADY_EXISTS', `component ${index} of ${ceremonyId} is stored already`);
    }
    const kcv = secretKeyCheckValue(checked, component);
    if (expectedKcv !== undefined && !kcvEquals(kcv, expectedKcv)) {
      throw new HsmError(
        'CHECK_VALUE_MISMATCH',
        `component ${index} does not match its check value`,
      );
    }
    components.set(index, {
      index,
      algorithm: checked,
      length: component.length,
      payload: Buffer.from(component),
    });
    this.#ceremonies.set(ceremonyId, components);
    return { kcv };
  }

  #dropCeremony(ceremonyId: string): void {
    const components = this.#ceremonies.get(ceremonyId);
    if (components === undefined) return;
    for (const c of components.values()) c.payload.fill(0);
    this.#ceremonies.delete(ceremonyId);
  }

  /** STS-SPEC §12.2/§12.3 in software (`@sts/core`), after the same checks as the token's. */
  #derive(label: string, inputs: readonly DerivationInput[]): Uint8Array[] {
    const list: unknown = inputs;
    if (!Array.isArray(list)) throw new HsmError('INVALID_INPUT', 'inputs: must be an array');
    const entry = this.#find(label);
    for (const input of inputs) {
      checkDerivationKey(entry.info, input);
      checkDerivationInput(input);
    }
    const vendingKey = (entry as SecretEntry).value;
    return inputs.map((input) => fromStsInput(() => softwareDerive(vendingKey, input)));
  }
}

function knownAnswer(name: string, run: () => boolean): SelfTestCheck {
  try {
    return run() ? { name, ok: true } : { name, ok: false, detail: 'wrong known answer' };
  } catch (error) {
    return { name, ok: false, detail: error instanceof HsmError ? error.code : 'failed' };
  }
}

function checkBytes(value: unknown, field: string): void {
  if (!(value instanceof Uint8Array))
    throw new HsmError('INVALID_INPUT', `${field}: must be bytes`);
}
