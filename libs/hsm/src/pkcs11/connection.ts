import { createHash, timingSafeEqual } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, InitializationOptions, Mechanism, PKCS11, TokenInfo } from 'pkcs11js';
import { type TokenStateChange, HsmError } from '../key-custody.port';
import type { ResolvedPkcs11Config } from './config';
import type { CachedKey } from './key-cache';
import {
  type ErrorContext,
  DEAD_SESSION_CODES,
  TRANSIENT_STARTUP_CODES,
  isDeviceFault,
  pkcs11CodeOf,
  toHsmError,
} from './errors';
import { CallWorkers } from './call-workers';
import { InFlightLimit } from './in-flight';
import { RFC5649_WRAP, chooseMechanism, keyWrapMechanism } from './mechanisms';
import { TokenHealth } from './token-health';

/**
 * Session and login management (STYLE "one withSession helper; log in once per process").
 *
 * SoftHSM rewrites its token file on C_Login, and a PKCS#11 library is initialized once per
 * process, so connections are shared process-wide: one loaded module per module path, one
 * logged-in token per (module, label). Adapters acquire and release references; the last
 * release logs out and finalizes.
 *
 * `withSession` runs synchronous work (first lookups of a key, management); `withSessionAsync`
 * runs work that awaits pkcs11js's asynchronous calls (C_SignAsync, C_EncryptAsync, ...), which
 * run on libuv's thread pool, and the calls pkcs11js makes only synchronously (C_*Init, ...) on
 * `workers`: at most `maxInFlight` such operations per connection, each bounded by
 * `callTimeoutMs`. Either way a session serves one caller at a time (it is taken from the idle
 * list for the duration of the work), so operations never interleave on a session.
 *
 * Device faults (errors.ts `isDeviceFault`, a timed-out call) make the connection unavailable:
 * calls answer UNAVAILABLE at once, and the first call after each back-off interval reconnects
 * (C_Finalize, C_Initialize, the slot found again by label, a new login session). A failure of
 * a call started before the last reconnection does not count against the new connection.
 */
/** What a token answers to a C_CopyObject of a read-only object that changes its CKA_TOKEN. */
const COPY_REFUSED_CODES: ReadonlySet<string> = new Set([
  'CKR_ATTRIBUTE_READ_ONLY',
  'CKR_ACTION_PROHIBITED',
]);

/** First and longest wait between two reconnection attempts. */
const RECONNECT_BACKOFF_MS = { first: 100, max: 5_000 } as const;

export class TokenConnection {
  /** Key handles and working copies shared by the adapters on this connection (key-cache.ts). */
  readonly keyCache = new Map<string, CachedKey>();
  readonly health: TokenHealth;
  readonly limit: InFlightLimit;
  readonly callTimeoutMs: number;
  /** Threads for the calls pkcs11js makes only synchronously (call-workers.ts). */
  readonly workers: CallWorkers;
  #idle: Handle[] = [];
  #references = 1;
  #closed = false;
  #slot: Handle;
  #tokenInfo: TokenInfo;
  #keyWrap: Mechanism;
  #loginSession: Handle;
  /** Incremented by each reconnection; calls remember the epoch they started in. */
  #epoch = 0;
  #moduleGeneration: number;
  #faulted = false;
  #nextAttemptAt = 0;
  #backoffMs: number = RECONNECT_BACKOFF_MS.first;

  constructor(
    readonly module: LoadedModule,
    readonly tokenLabel: string,
    opened: OpenedToken,
    private readonly pin: Buffer,
    private readonly pinDigest: Buffer,
    options: ConnectionOptions,
  ) {
    this.#slot = opened.slot;
    this.#tokenInfo = opened.info;
    this.#loginSession = opened.session;
    this.#keyWrap = opened.keyWrap;
    this.#moduleGeneration = module.generation;
    this.health = new TokenHealth(options.onStateChange);
    this.limit = new InFlightLimit(options.maxInFlight);
    this.callTimeoutMs = options.callTimeoutMs;
    this.workers = new CallWorkers(module.path, options.maxInFlight);
  }

  /** The pkcs11js binding (for the adapter's calls inside `withSession`). */
  get pkcs11(): PKCS11 {
    return this.module.pkcs11;
  }

  get slot(): Handle {
    return this.#slot;
  }

  get tokenInfo(): TokenInfo {
    return this.#tokenInfo;
  }

  /** The token's RFC 5649 mechanism (CKM_AES_KEY_WRAP_KWP, else CKM_AES_KEY_WRAP_PAD). */
  get keyWrap(): Mechanism {
    return this.#keyWrap;
  }

  /**
   * Runs `work` with an open, logged-in read-write session and maps any failure to an
   * `HsmError` (errors.ts). `work` must be synchronous.
   */
  withSession<T>(operation: string, work: (session: Handle) => T, context?: ErrorContext): T {
    const epoch = this.#ready(operation);
    const session = this.#takeSession(operation, epoch);
    let healthy = true;
    try {
      return work(session);
    } catch (error) {
      healthy = this.#failed(error, operation, epoch);
      throw toHsmError(error, operation, context);
    } finally {
      this.#giveBack(session, healthy, epoch);
    }
  }

  /**
   * As `withSession` for work that awaits asynchronous token calls: waits for one of
   * `maxInFlight` places (at most `callTimeoutMs`), and answers UNAVAILABLE when the work takes
   * longer than `callTimeoutMs`. A call that overran keeps its place and its session until the
   * token answers it, so a hung token never has more than `maxInFlight` calls outstanding.
   */
  async withSessionAsync<T>(
    operation: string,
    work: (session: Handle) => Promise<T>,
    context?: ErrorContext,
  ): Promise<T> {
    const release = await this.limit.acquire(operation, this.callTimeoutMs);
    let epoch: number;
    let session: Handle;
    try {
      epoch = this.#ready(operation);
      session = this.#takeSession(operation, epoch);
    } catch (error) {
      release();
      throw error;
    }
    const started = performance.now();
    const running = work(session);
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => {
      timer = setTimeout(() => resolve('overran'), this.callTimeoutMs);
    });
    let outcome: { value: T } | 'overran';
    try {
      outcome = await Promise.race([running.then((value) => ({ value })), overran]);
    } catch (error) {
      this.#giveBack(session, this.#failed(error, operation, epoch), epoch);
      release();
      throw toHsmError(error, operation, context);
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'overran') {
      this.#fault(`${operation}: no answer within ${this.callTimeoutMs} ms`, epoch);
      const settle = (): void => {
        this.#giveBack(session, false, epoch);
        release();
      };
      running.then(settle, settle);
      throw new HsmError(
        'UNAVAILABLE',
        `${operation}: the token did not answer within ${this.callTimeoutMs} ms`,
      );
    }
    this.health.recordDuration(performance.now() - started);
    this.#giveBack(session, true, epoch);
    release();
    return outcome.value;
  }

  /**
   * Fails with UNAVAILABLE when the token does not answer C_GetTokenInfo: a lookup that found
   * nothing on a token that has lost its objects (SoftHSM whose files vanished) is a device
   * fault, not an absent key.
   */
  assertTokenPresent(): void {
    this.pkcs11.C_GetTokenInfo(this.#slot);
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
      return this.pkcs11.C_CopyObject(this.#loginSession, handle, [
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
    this.workers.close();
    tokens.delete(tokenKey(this.module.path, this.tokenLabel));
    this.keyCache.clear();
    for (const session of this.#idle.splice(0)) this.#closeQuietly(session);
    try {
      this.pkcs11.C_Logout(this.#loginSession);
    } catch {
      // Already logged out or the token is gone: nothing left to undo.
    }
    this.#closeQuietly(this.#loginSession);
    this.pinDigest.fill(0);
    this.pin.fill(0);
    this.module.release();
  }

  /**
   * The epoch a call starts in, reconnecting first when the connection is faulted and the
   * back-off interval has passed; UNAVAILABLE while it has not, or when reconnecting fails.
   */
  #ready(operation: string): number {
    if (this.#closed) {
      throw new HsmError('UNAVAILABLE', `${operation}: the token connection is closed`);
    }
    if (!this.#faulted && this.module.generation !== this.#moduleGeneration) {
      // Another connection on this module reinitialized it: these sessions are gone.
      this.#faulted = true;
      this.#nextAttemptAt = 0;
    }
    if (!this.#faulted) return this.#epoch;
    const now = Date.now();
    if (now < this.#nextAttemptAt) {
      throw new HsmError(
        'UNAVAILABLE',
        `${operation}: the token is unavailable (${this.health.lastFault ?? 'device fault'}); reconnecting`,
      );
    }
    try {
      this.#reconnect();
    } catch (error) {
      this.#nextAttemptAt = now + this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, RECONNECT_BACKOFF_MS.max);
      const cause = toHsmError(error, 'reconnect');
      this.health.fault(cause.message);
      throw new HsmError('UNAVAILABLE', `${operation}: ${cause.message}`, cause.pkcs11Code);
    }
    return this.#epoch;
  }

  /**
   * Reopens the token: a fresh module initialization (unless another connection on the module
   * did one since this connection's last), the slot found again by label, a new login session.
   * Cached handles and session copies belonged to the old sessions and are dropped.
   */
  #reconnect(): void {
    this.keyCache.clear();
    this.#idle = [];
    if (this.module.generation === this.#moduleGeneration) this.module.reinitialize();
    this.#moduleGeneration = this.module.generation;
    const opened = openToken(this.pkcs11, this.tokenLabel, this.pin.toString('utf8'));
    this.#slot = opened.slot;
    this.#tokenInfo = opened.info;
    this.#loginSession = opened.session;
    this.#keyWrap = opened.keyWrap;
    this.#epoch += 1;
    this.#faulted = false;
    this.#backoffMs = RECONNECT_BACKOFF_MS.first;
    this.health.recovered();
  }

  #takeSession(operation: string, epoch: number): Handle {
    try {
      return this.#idle.pop() ?? this.#openSession();
    } catch (error) {
      this.#failed(error, operation, epoch);
      throw toHsmError(error, operation);
    }
  }

  /** Returns a session to the idle list, or closes it when it is broken or from an old epoch. */
  #giveBack(session: Handle, healthy: boolean, epoch: number): void {
    if (epoch !== this.#epoch) return; // its module instance is gone
    if (healthy && !this.#closed) this.#idle.push(session);
    else this.#closeQuietly(session);
  }

  /** Whether the session is still usable after `error`; records device faults. */
  #failed(error: unknown, operation: string, epoch: number): boolean {
    const code = pkcs11CodeOf(error);
    if (isDeviceFault(toHsmError(error, operation))) {
      this.#fault(`${operation}: ${code ?? 'device fault'}`, epoch);
      return false;
    }
    return code === undefined || !DEAD_SESSION_CODES.has(code);
  }

  #fault(reason: string, epoch: number): void {
    if (epoch !== this.#epoch || this.#closed) return;
    if (!this.#faulted) {
      this.#faulted = true;
      this.#nextAttemptAt = 0;
    }
    this.health.fault(reason);
  }

  #openSession(): Handle {
    return this.pkcs11.C_OpenSession(
      this.#slot,
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

/** How a connection bounds and reports its calls (config.ts). */
export interface ConnectionOptions {
  readonly maxInFlight: number;
  readonly callTimeoutMs: number;
  readonly onStateChange?: (change: TokenStateChange) => void;
}

/** A token found by label, with a logged-in read-write session. */
interface OpenedToken {
  readonly slot: Handle;
  readonly info: TokenInfo;
  readonly session: Handle;
  readonly keyWrap: Mechanism;
}

/** A loaded, initialized PKCS#11 module shared by the tokens of one process. */
export class LoadedModule {
  #references = 0;
  #generation = 0;

  constructor(
    readonly path: string,
    readonly pkcs11: PKCS11,
    private readonly initializeOptions: InitializationOptions,
  ) {}

  /** Incremented by each `reinitialize`: sessions of an older generation are gone. */
  get generation(): number {
    return this.#generation;
  }

  retain(): void {
    this.#references += 1;
  }

  /** C_Finalize (whatever it answers) and C_Initialize again: every session is gone after. */
  reinitialize(): void {
    this.#generation += 1;
    try {
      this.pkcs11.C_Finalize();
    } catch {
      // A module that lost its device may refuse to finalize; initializing is what matters.
    }
    try {
      this.pkcs11.C_Initialize(this.initializeOptions);
    } catch (error) {
      if (pkcs11CodeOf(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw error;
    }
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
  try {
    const opened = openToken(module.pkcs11, config.tokenLabel, config.pin);
    return new TokenConnection(
      module,
      config.tokenLabel,
      opened,
      Buffer.from(config.pin, 'utf8'),
      pinDigestOf(config.pin),
      {
        maxInFlight: config.maxInFlight,
        callTimeoutMs: config.callTimeoutMs,
        onStateChange: config.onStateChange,
      },
    );
  } catch (error) {
    module.release();
    throw toHsmError(error, 'open');
  }
}

/** Finds the token by label, opens a read-write session and logs in (closing it on failure). */
function openToken(pkcs11: PKCS11, label: string, pin: string): OpenedToken {
  const { slot, info } = findSlot(pkcs11, label);
  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    login(pkcs11, session, pin);
  } catch (error) {
    try {
      pkcs11.C_CloseSession(session);
    } catch {
      // The failed attempt is being abandoned.
    }
    throw error;
  }
  return { slot, info, session, keyWrap: keyWrapOf(pkcs11, slot) };
}

/** The token's RFC 5649 mechanism; the standard name when it offers none (the self-test says). */
function keyWrapOf(pkcs11: PKCS11, slot: Handle): Mechanism {
  const offered = new Set(pkcs11.C_GetMechanismList(slot));
  const choice = chooseMechanism(RFC5649_WRAP, offered, () => 0);
  return keyWrapMechanism(choice.chosen?.type ?? RFC5649_WRAP.type);
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
  // Library parameters (NSS's softokn: its database directory) go through pkcs11js's extended
  // C_INITIALIZE_ARGS; without them the module gets the standard arguments.
  const initializeOptions: InitializationOptions =
    config.libraryParameters === undefined
      ? { flags: pkcs11js.CKF_OS_LOCKING_OK }
      : { flags: pkcs11js.CKF_OS_LOCKING_OK, libraryParameters: config.libraryParameters };
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
    pkcs11.C_Initialize(initializeOptions);
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
  const module = new LoadedModule(config.modulePath, pkcs11, initializeOptions);
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
