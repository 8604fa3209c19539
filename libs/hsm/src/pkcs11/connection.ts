import { createHash, timingSafeEqual } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, TokenInfo } from 'pkcs11js';
import { HsmError } from '../key-custody.port';
import type { ResolvedPkcs11Config } from './config';
import type { CachedKey } from './key-cache';
import {
  type ErrorContext,
  DEAD_SESSION_CODES,
  TRANSIENT_STARTUP_CODES,
  pkcs11CodeOf,
  toHsmError,
} from './errors';

/**
 * Session and login management (STYLE "one withSession helper; log in once per process").
 *
 * SoftHSM rewrites its token file on C_Login, and a PKCS#11 library is initialized once per
 * process, so connections are shared process-wide: one loaded module per module path, one
 * logged-in token per (module, label). Adapters acquire and release references; the last
 * release logs out and finalizes.
 *
 * pkcs11js calls are synchronous, and `withSession` callbacks must be too: an operation
 * (C_EncryptInit .. C_Encrypt) therefore never interleaves with another caller's on the same
 * session, and one session serves any number of concurrent callers of the adapter.
 */
/** What a token answers to a C_CopyObject of a read-only object that changes its CKA_TOKEN. */
const COPY_REFUSED_CODES: ReadonlySet<string> = new Set([
  'CKR_ATTRIBUTE_READ_ONLY',
  'CKR_ACTION_PROHIBITED',
]);

export class TokenConnection {
  /** Key handles and working copies shared by the adapters on this connection (key-cache.ts). */
  readonly keyCache = new Map<string, CachedKey>();
  #idle: Handle[] = [];
  #references = 1;
  #closed = false;

  constructor(
    readonly module: LoadedModule,
    readonly tokenLabel: string,
    readonly slot: Handle,
    readonly tokenInfo: TokenInfo,
    private readonly loginSession: Handle,
    private readonly pinDigest: Buffer,
  ) {}

  /** The pkcs11js binding (for the adapter's calls inside `withSession`). */
  get pkcs11(): PKCS11 {
    return this.module.pkcs11;
  }

  /**
   * Runs `work` with an open, logged-in read-write session and maps any failure to an
   * `HsmError` (errors.ts). `work` must be synchronous.
   */
  withSession<T>(operation: string, work: (session: Handle) => T, context?: ErrorContext): T {
    if (this.#closed)
      throw new HsmError('UNAVAILABLE', `${operation}: the token connection is closed`);
    let session: Handle;
    try {
      session = this.#idle.pop() ?? this.#openSession();
    } catch (error) {
      throw toHsmError(error, operation);
    }
    let healthy = true;
    try {
      return work(session);
    } catch (error) {
      const code = pkcs11CodeOf(error);
      if (code !== undefined && DEAD_SESSION_CODES.has(code)) healthy = false;
      throw toHsmError(error, operation, context);
    } finally {
      if (healthy) this.#idle.push(session);
      else this.#closeQuietly(session);
    }
  }

  /**
   * Copies a token key into a session object owned by the login session, so that it lives as
   * long as the connection (key-cache.ts). The copy keeps CKA_SENSITIVE and CKA_EXTRACTABLE.
   * Undefined when the token refuses to copy the object with a changed CKA_TOKEN: SoftHSM does
   * for every CKA_MODIFIABLE=false object (CKR_ATTRIBUTE_READ_ONLY), and such a key is used in
   * place.
   */
  copyToSession(handle: Handle): Handle | undefined {
    try {
      return this.pkcs11.C_CopyObject(this.loginSession, handle, [
        { type: pkcs11js.CKA_TOKEN, value: false },
      ]);
    } catch (error) {
      if (COPY_REFUSED_CODES.has(pkcs11CodeOf(error) ?? '')) return undefined;
      throw error;
    }
  }

  /** Another adapter shares this connection (same module and token, same PIN). */
  share(pin: string): void {
    const digest = pinDigestOf(pin);
    if (!timingSafeEqual(digest, this.pinDigest)) {
      throw new HsmError(
        'AUTHENTICATION_FAILED',
        'login: this process is logged in to the token with a different PIN',
      );
    }
    this.#references += 1;
  }

  /** Drops one reference; the last one logs out, closes sessions and releases the module. */
  release(): void {
    if (this.#closed) return;
    this.#references -= 1;
    if (this.#references > 0) return;
    this.#closed = true;
    tokens.delete(tokenKey(this.module.path, this.tokenLabel));
    this.keyCache.clear();
    for (const session of this.#idle.splice(0)) this.#closeQuietly(session);
    try {
      this.pkcs11.C_Logout(this.loginSession);
    } catch {
      // Already logged out or the token is gone: nothing left to undo.
    }
    this.#closeQuietly(this.loginSession);
    this.pinDigest.fill(0);
    this.module.release();
  }

  #openSession(): Handle {
    return this.pkcs11.C_OpenSession(
      this.slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
  }

  #closeQuietly(session: Handle): void {
    try {
      this.pkcs11.C_CloseSession(session);
    } catch {
      // The session is already unusable; closing it is best effort.
    }
  }
}

/** A loaded, initialized PKCS#11 module shared by the tokens of one process. */
export class LoadedModule {
  #references = 0;

  constructor(
    readonly path: string,
    readonly pkcs11: PKCS11,
  ) {}

  retain(): void {
    this.#references += 1;
  }

  release(): void {
    this.#references -= 1;
    if (this.#references > 0) return;
    modules.delete(this.path);
    try {
      this.pkcs11.C_Finalize();
    } catch {
      // Finalizing a broken module cannot be repaired here.
    }
    try {
      this.pkcs11.close();
    } catch {
      // Same as above.
    }
  }
}

const modules = new Map<string, LoadedModule>();
const tokens = new Map<string, Promise<TokenConnection>>();

function tokenKey(modulePath: string, tokenLabel: string): string {
  return `${modulePath}\u0000${tokenLabel}`;
}

function pinDigestOf(pin: string): Buffer {
  return createHash('sha256').update(pin, 'utf8').digest();
}

/**
 * Returns this process's connection to the configured token, opening it (initialize, find the
 * slot by label, log in once) if needed. Transient start-up failures are retried with backoff,
 * `config.startupRetry` bounding the attempts; a wrong PIN fails at once and is not retried.
 */
export async function acquireConnection(config: ResolvedPkcs11Config): Promise<TokenConnection> {
  const key = tokenKey(config.modulePath, config.tokenLabel);
  const pending = tokens.get(key);
  if (pending !== undefined) {
    const connection = await pending;
    connection.share(config.pin);
    return connection;
  }
  const opening = openWithRetry(config);
  tokens.set(key, opening);
  try {
    return await opening;
  } catch (error) {
    tokens.delete(key);
    throw error;
  }
}

async function openWithRetry(config: ResolvedPkcs11Config): Promise<TokenConnection> {
  const { attempts, initialDelayMs } = config.startupRetry;
  let delay = initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return openOnce(config);
    } catch (error) {
      const hsmError = toHsmError(error, 'open');
      const retryable =
        hsmError.code === 'UNAVAILABLE' &&
        hsmError.pkcs11Code !== undefined &&
        TRANSIENT_STARTUP_CODES.has(hsmError.pkcs11Code);
      if (!retryable || attempt >= attempts) throw hsmError;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}

/** One start-up attempt; on failure everything it acquired is released again. */
function openOnce(config: ResolvedPkcs11Config): TokenConnection {
  const module = loadModule(config);
  module.retain();
  let session: Handle | undefined;
  try {
    const { slot, info } = findSlot(module.pkcs11, config.tokenLabel);
    session = module.pkcs11.C_OpenSession(
      slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
    login(module.pkcs11, session, config.pin);
    const connection = new TokenConnection(
      module,
      config.tokenLabel,
      slot,
      info,
      session,
      pinDigestOf(config.pin),
    );
    return connection;
  } catch (error) {
    if (session !== undefined) {
      try {
        module.pkcs11.C_CloseSession(session);
      } catch {
        // The failed attempt is being abandoned.
      }
    }
    module.release();
    throw toHsmError(error, 'open');
  }
}

/** C_Login exactly once; "already logged in" (another adapter of this process) is success. */
function login(pkcs11: PKCS11, session: Handle, pin: string): void {
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if (pkcs11CodeOf(error) === 'CKR_USER_ALREADY_LOGGED_IN') return;
    throw toHsmError(error, 'login');
  }
}

function loadModule(config: ResolvedPkcs11Config): LoadedModule {
  const existing = modules.get(config.modulePath);
  if (existing !== undefined) return existing;
  let pkcs11: PKCS11;
  try {
    if (config.loadModule !== undefined) {
      pkcs11 = config.loadModule(config.modulePath);
    } else {
      pkcs11 = new pkcs11js.PKCS11();
      pkcs11.load(config.modulePath);
    }
  } catch {
    throw new HsmError('UNAVAILABLE', 'open: the PKCS#11 module could not be loaded');
  }
  try {
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (pkcs11CodeOf(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      try {
        pkcs11.close();
      } catch {
        // The module never initialized; unloading is best effort.
      }
      throw toHsmError(error, 'C_Initialize');
    }
  }
  const module = new LoadedModule(config.modulePath, pkcs11);
  modules.set(config.modulePath, module);
  return module;
}

/** The slot whose token carries `label` (labels are blank-padded to 32 characters). */
function findSlot(pkcs11: PKCS11, label: string): { slot: Handle; info: TokenInfo } {
  for (const slot of pkcs11.C_GetSlotList(true)) {
    const info = pkcs11.C_GetTokenInfo(slot);
    if (info.label.trimEnd() === label) return { slot, info };
  }
  // Reported as CKR_TOKEN_NOT_PRESENT: a token being re-created by another process is absent
  // for a moment, so start-up retries this like the other transient codes.
  throw new HsmError(
    'UNAVAILABLE',
    `open: no token labelled ${label} is present`,
    'CKR_TOKEN_NOT_PRESENT',
  );
}
