import type { DerivationInput } from '@sts/core';
import type { InventoryEntry } from './token-inventory';

/**
 * The key-custody port: everything the key service asks of the place where keys live. The
 * PKCS#11 adapter implements it for production (any PKCS#11 HSM; SoftHSM in tests); the
 * in-memory adapter implements the same behaviour and errors for fast unit tests only.
 *
 * Keys are named by label. No method returns a vending key, key-encryption key, transport key
 * or signing private key in clear. Two methods return secrets into process memory, and say so:
 * `deriveDecoderKey` (EA07/EA11 tokens must be computed in software; see docs/adr) and the
 * transient component values inside a ceremony. Callers zero returned buffers after use.
 */

/** What a key object is. Fixed at creation. */
export type KeyAlgorithm =
  /** 64-bit DES vending key for DKGA02 (held as a DES2 key K||K where single DES is missing). */
  | 'DES'
  /** HMAC-SHA-256 vending key for DKGA04 (any non-empty length; published vectors use 20 bytes). */
  | 'HMAC'
  /** AES key-encryption key or client transport key (16, 24 or 32 bytes). */
  | 'AES'
  /** ECDSA P-256 key pair that signs audit checkpoints. */
  | 'EC_P256';

/** How a key may be used. Fixed at creation. */
export type KeyUsage =
  /** Vending key: decoder-key derivation only. */
  | 'DERIVE'
  /** Key-encryption key: unwraps imported keys (RFC 5649). */
  | 'UNWRAP'
  /** Client transport key: wraps derived keys for export (RFC 5649). */
  | 'WRAP'
  /** Audit key: signs and verifies checkpoints. */
  | 'SIGN';

/** A key object as the token describes it. Never carries key bytes. */
export interface KeyInfo {
  readonly label: string;
  readonly algorithm: KeyAlgorithm;
  readonly usage: KeyUsage;
  /** Key length in bytes (the secret's length; 32 for P-256 private keys). */
  readonly lengthBytes: number;
  /**
   * Key check value, 6 lower-case hex digits, computed by the token: DES and AES: the first
   * 3 bytes of E_K(zero block); HMAC: the first 3 bytes of HMAC-SHA-256(K, 8 zero bytes);
   * EC_P256: the first 3 bytes of SHA-256 of the DER public key.
   */
  readonly kcv: string;
  /** Always true for keys this port creates: the value cannot be read. */
  readonly sensitive: boolean;
  /** Whether the value can leave the token at all (wrapped). False for every key this port creates. */
  readonly extractable: boolean;
}

/** One mechanism or known-answer check of the self-test. */
export interface SelfTestCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (never contains key material). */
  readonly detail?: string;
}

/** The structured self-test result that `/health` shows. */
export interface SelfTestReport {
  readonly ok: boolean;
  /** 'pkcs11' or 'memory'. */
  readonly implementation: string;
  /** Token label and, for PKCS#11, library and token manufacturer/model. */
  readonly token: Record<string, string>;
  readonly checks: readonly SelfTestCheck[];
  readonly at: string;
}

/** A derived decoder key wrapped for a vending client. */
export interface WrappedKey {
  /** RFC 5649 (AES key wrap with padding) output under the client's transport key. */
  readonly wrapped: Uint8Array;
  /** Check value of the (unwrapped) decoder key: 3 bytes of E_DK(zero block), hex. */
  readonly kcv: string;
}

/** Port errors, mapped by the service to HTTP (503, 404, 403/409, 400, 422). */
export type HsmErrorCode =
  /** Module missing, token absent, login failed for a non-PIN reason, device error: retry later. */
  | 'UNAVAILABLE'
  /** Wrong PIN or user not logged in: never retried. */
  | 'AUTHENTICATION_FAILED'
  /** No key with that label. */
  | 'NOT_FOUND'
  /** A key with that label exists already. */
  | 'ALREADY_EXISTS'
  /** The token refused: sensitive/non-extractable value, wrong usage for the key. */
  | 'NOT_PERMITTED'
  /** Bad argument: length, algorithm, malformed wrapped key, integrity check failed. */
  | 'INVALID_INPUT'
  /** A component or key did not match the check value it was entered with. */
  | 'CHECK_VALUE_MISMATCH';

/** The one error type the port throws. Messages never contain key material. */
export class HsmError extends Error {
  override readonly name = 'HsmError';

  constructor(
    readonly code: HsmErrorCode,
    message: string,
    /** The PKCS#11 return value name (e.g. `CKR_PIN_INCORRECT`), when there was one. */
    readonly pkcs11Code?: string,
  ) {
    super(message);
  }
}

/** Parameters for creating a key object. */
export interface KeySpec {
  readonly label: string;
  readonly algorithm: KeyAlgorithm;
  readonly usage: KeyUsage;
  /** Bytes; required for AES (16/24/32) and HMAC; DES is always 8. */
  readonly lengthBytes?: number;
}

/** The port itself. All methods are async so that network HSMs fit the same shape. */
export interface KeyCustody {
  /** 'pkcs11' or 'memory'. */
  readonly implementation: string;

  /** Mechanisms present and known answers (DES2 KCV, HMAC RFC 4231, key-wrap round trip). */
  selfTest(): Promise<SelfTestReport>;

  /** Every key object this port manages (labels, metadata, check values). */
  listKeys(): Promise<KeyInfo[]>;
  /**
   * `listKeys` with each key's object class, key type, protection and usage attributes (and, for
   * DKGA02 keys, whether their helper objects are present): what a restore check compares.
   */
  inventory(): Promise<InventoryEntry[]>;
  /** Throws NOT_FOUND. */
  describeKey(label: string): Promise<KeyInfo>;
  /** Removes the object from the token. Throws NOT_FOUND. */
  destroyKey(label: string): Promise<void>;

  /** Generates a secret key inside the token (KEKs, transport keys, test vending keys). */
  generateKey(spec: KeySpec): Promise<KeyInfo>;
  /** Generates the audit signing key pair inside the token; returns the public key (SPKI PEM). */
  generateSigningKey(label: string): Promise<KeyInfo & { publicKeyPem: string }>;

  /**
   * Key-component ceremony, one component at a time: the component is held inside the token
   * (encrypted under a ceremony key, never in the database) and its check value is returned so
   * the caller can compare it with the one the custodian entered.
   */
  storeComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
  ): Promise<{ kcv: string }>;
  /**
   * Combines the `count` stored components (XOR) into a new sensitive, non-extractable key, after
   * verifying its check value against `expectedKcv` (CHECK_VALUE_MISMATCH, nothing stored, on a
   * mismatch). The stored components are destroyed either way, unless `options.keepComponents`
   * asks to keep them (see {@link CompleteCeremonyOptions}).
   */
  completeCeremony(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
    expectedKcv: string,
    options?: CompleteCeremonyOptions,
  ): Promise<KeyInfo>;
  /** Destroys the stored components of an abandoned or finished ceremony. Idempotent. */
  abortCeremony(ceremonyId: string): Promise<void>;
  /**
   * Destroys component `index` of `ceremonyId` if the token holds it, and nothing else (the other
   * components stay). Idempotent: a free index is not an error. For the caller that stored a
   * component but could not record it (its database transaction rolled back): discarding the
   * unrecorded component frees the index for the custodian's retry.
   */
  discardComponent(ceremonyId: string, index: number): Promise<void>;

  /**
   * Wrapped import: unwraps `wrapped` (RFC 5649) under the key-encryption key `kekLabel` into a
   * sensitive, non-extractable key and verifies its check value (CHECK_VALUE_MISMATCH, nothing
   * stored, on a mismatch; a tampered blob is INVALID_INPUT).
   */
  importWrapped(
    kekLabel: string,
    wrapped: Uint8Array,
    spec: KeySpec,
    expectedKcv: string,
  ): Promise<KeyInfo>;

  /**
   * Derives a meter's decoder key from the vending key `vendingKeyLabel` (DKGA04: HMAC in the
   * token; DKGA02: DES in the token, final XOR in process). Returns the key in process memory
   * for EA07/EA11 token encryption: the caller zeroes it.
   */
  deriveDecoderKey(vendingKeyLabel: string, input: DerivationInput): Promise<Uint8Array>;
  /** Derives a decoder key and returns it only wrapped under `transportKeyLabel`, with its KCV. */
  exportDecoderKey(
    vendingKeyLabel: string,
    input: DerivationInput,
    transportKeyLabel: string,
  ): Promise<WrappedKey>;
  /** EA09: single-DES ECB of 8-byte blocks under a 64-bit decoder key, inside the token. */
  encryptEa09(decoderKey: Uint8Array, blocks: readonly Uint8Array[]): Promise<Uint8Array[]>;

  /** Signs `data` (ECDSA P-256 over SHA-256, IEEE P1363 r||s). */
  sign(label: string, data: Uint8Array): Promise<Uint8Array>;
  /** Verifies a signature made by `sign`. */
  verify(label: string, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** The public key of a signing key pair, SPKI PEM. */
  publicKeyPem(label: string): Promise<string>;

  /**
   * `storeComponent` that first compares the component's check value with the one the custodian
   * entered (`expectedKcv`, 6 hex digits): CHECK_VALUE_MISMATCH and nothing stored on a mismatch.
   */
  storeVerifiedComponent(
    ceremonyId: string,
    index: number,
    algorithm: KeyAlgorithm,
    component: Uint8Array,
    expectedKcv: string,
  ): Promise<{ kcv: string }>;

  /**
   * `deriveDecoderKey` for many inputs under one vending key, in order.
   * The PKCS#11 adapter runs the DKGA02 DES step for the whole batch in one token call. The
   * caller zeroes every returned key.
   */
  deriveDecoderKeys(
    vendingKeyLabel: string,
    inputs: readonly DerivationInput[],
  ): Promise<Uint8Array[]>;

  /**
   * Asks the token to wrap a stored key (RFC 5649) under a transport key.
   * Every key this port creates is non-extractable, so the token refuses with NOT_PERMITTED;
   * the method exists so that the refusal is observable (tests, health checks) rather than
   * assumed.
   */
  exportKey(label: string, transportKeyLabel: string): Promise<WrappedKey>;

  /**
   * Generates a secret key inside the token as `count` random components
   * (2 or 3), for handing to custodians. Each component is held in the token (encrypted, as in a
   * ceremony) until {@link releaseComponent} hands it out; their XOR is stored as the key
   * (sensitive, non-extractable). Returns the key and each component's check value, in order.
   * ALREADY_EXISTS when the ceremony already holds components or the label is taken.
   */
  generateComponents(
    ceremonyId: string,
    count: number,
    spec: KeySpec,
  ): Promise<GeneratedComponents>;

  /**
   * Hands out component `index` of a generated key, once: the stored copy
   * is destroyed, so a second call is NOT_FOUND. The caller zeroes the returned component.
   */
  releaseComponent(ceremonyId: string, index: number): Promise<ReleasedComponent>;

  /**
   * Extension (optional): the connection's state as seen by the calls made so far (available or
   * not, since when, the last fault) and the latency of recent token calls. Makes no token call.
   */
  status?(): CustodyStatus;

  /**
   * Extension (optional): tells `listener` of each change of the token's state (once per
   * transition, never per call) until the returned function is called.
   */
  onStateChange?(listener: (change: TokenStateChange) => void): () => void;

  /** Logs out and finalizes. Further calls throw UNAVAILABLE. */
  close(): Promise<void>;
}

/** Options of {@link KeyCustody.completeCeremony}. */
export interface CompleteCeremonyOptions {
  /**
   * Keep the stored components whatever the outcome, until `abortCeremony`. A caller that records
   * the new key in a database sets this, destroys the key if its transaction fails (the components
   * are still there for a retry) and calls `abortCeremony` once the transaction has committed.
   */
  readonly keepComponents?: boolean;
}

/** A key generated as components: the key, and each component's check value (index order). */
export interface GeneratedComponents {
  readonly key: KeyInfo;
  readonly componentKcvs: readonly string[];
}

/** One component of a generated key, released to its custodian. */
export interface ReleasedComponent {
  readonly index: number;
  readonly component: Uint8Array;
  readonly kcv: string;
}

/** Whether the token answers: 'unavailable' from a device fault until a reconnection succeeds. */
export type TokenState = 'available' | 'unavailable';

/** One change of {@link TokenState}, reported once per transition (never once per call). */
export interface TokenStateChange {
  readonly state: TokenState;
  readonly at: Date;
  /** What made the token unavailable (an operation and a CKR name or "timed out"). */
  readonly reason?: string;
  /** On the way back to 'available': how long the token was unavailable. */
  readonly unavailableForMs?: number;
}

/** Latency of the token calls that completed recently (a sliding window), in milliseconds. */
export interface TokenLatency {
  readonly samples: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** What {@link KeyCustody.status} reports. */
export interface CustodyStatus {
  readonly state: TokenState;
  readonly since: string;
  readonly lastFault?: string;
  readonly reconnections: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly callTimeoutMs: number;
  readonly latency: TokenLatency;
}

/** Injection token for the port in the service (bound once). */
export const KEY_CUSTODY = Symbol('KEY_CUSTODY');
