import type { PKCS11 } from 'pkcs11js';
import { type TokenStateChange, HsmError } from '../key-custody.port';

/**
 * Configuration of the PKCS#11 adapter (issue 3, "module path, token label and PIN from
 * configuration"). The library never reads the environment: the service validates its own
 * configuration and passes these values in.
 */
export interface Pkcs11Config {
  /** Absolute path of the PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`). */
  readonly modulePath: string;
  /** The token's label (CKA token label, up to 32 characters); the slot is found by it. */
  readonly tokenLabel: string;
  /** The user PIN. Held by the caller; never logged, never part of an error message. */
  readonly pin: string;
  /** Bounded retry of start-up (C_Initialize, slot lookup, login) on transient failures. */
  readonly startupRetry?: StartupRetry;
  /**
   * Parameters for the module's C_Initialize, for modules that take them (NSS's softokn:
   * `configdir='sql:/path' certPrefix='' keyPrefix='' secmod='secmod.db' flags=`). Not a secret.
   */
  readonly libraryParameters?: string;
  /**
   * Most asynchronous token calls (derivations, signatures, encryptions, wraps) in flight at
   * once in this process; size it below the HSM's session limit divided by the processes that
   * share it. Default 8, at most 256.
   */
  readonly maxInFlight?: number;
  /**
   * How long an asynchronous token call, or the wait for a place to make one, may take before
   * it answers UNAVAILABLE and the connection is reopened. Default 5000 ms.
   */
  readonly callTimeoutMs?: number;
  /** Told of each change of the token's state (once per transition, never per call). */
  readonly onStateChange?: (change: TokenStateChange) => void;
  /**
   * Loads the module; replaceable so that tests can observe calls (e.g. count C_Login). The
   * default creates a `pkcs11js` binding and calls `load(modulePath)`.
   */
  readonly loadModule?: (modulePath: string) => PKCS11;
}

/** How often and how patiently start-up is retried. Wrong PINs are never retried. */
export interface StartupRetry {
  /** Total attempts, at least 1. Default 5. */
  readonly attempts: number;
  /** Delay before the second attempt in ms; doubles each time. Default 50. */
  readonly initialDelayMs: number;
}

/** Start-up retry used when the configuration names none. */
export const DEFAULT_STARTUP_RETRY: StartupRetry = { attempts: 5, initialDelayMs: 50 };

/** In-flight bound and call timeout used when the configuration names none. */
export const DEFAULT_MAX_IN_FLIGHT = 8;
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/** A configuration with every field checked and defaults applied. */
export interface ResolvedPkcs11Config {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly startupRetry: StartupRetry;
  readonly libraryParameters?: string;
  readonly maxInFlight: number;
  readonly callTimeoutMs: number;
  readonly onStateChange?: (change: TokenStateChange) => void;
  readonly loadModule?: (modulePath: string) => PKCS11;
}

/** Checks the configuration (INVALID_INPUT naming the field, never echoing the PIN). */
export function resolvePkcs11Config(config: Pkcs11Config): ResolvedPkcs11Config {
  if (typeof config !== 'object' || config === null) {
    throw new HsmError('INVALID_INPUT', 'pkcs11 config: must be an object');
  }
  if (typeof config.modulePath !== 'string' || config.modulePath.trim() === '') {
    throw new HsmError('INVALID_INPUT', 'modulePath: must name the PKCS#11 module file');
  }
  if (
    typeof config.tokenLabel !== 'string' ||
    config.tokenLabel.length === 0 ||
    config.tokenLabel.length > 32
  ) {
    throw new HsmError('INVALID_INPUT', 'tokenLabel: must be 1 to 32 characters');
  }
  if (typeof config.pin !== 'string' || config.pin.length === 0) {
    throw new HsmError('INVALID_INPUT', 'pin: must be a non-empty string');
  }
  const retry = config.startupRetry ?? DEFAULT_STARTUP_RETRY;
  if (
    !Number.isInteger(retry.attempts) ||
    retry.attempts < 1 ||
    retry.attempts > 20 ||
    !Number.isFinite(retry.initialDelayMs) ||
    retry.initialDelayMs < 0
  ) {
    throw new HsmError('INVALID_INPUT', 'startupRetry: 1-20 attempts and a non-negative delay');
  }
  if (config.libraryParameters !== undefined && typeof config.libraryParameters !== 'string') {
    throw new HsmError('INVALID_INPUT', 'libraryParameters: must be a string');
  }
  const maxInFlight = config.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 256) {
    throw new HsmError('INVALID_INPUT', 'maxInFlight: must be an integer from 1 to 256');
  }
  const callTimeoutMs = config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 1 || callTimeoutMs > 600_000) {
    throw new HsmError('INVALID_INPUT', 'callTimeoutMs: must be an integer from 1 to 600000');
  }
  return {
    modulePath: config.modulePath,
    tokenLabel: config.tokenLabel,
    pin: config.pin,
    startupRetry: retry,
    ...(config.libraryParameters === undefined
      ? {}
      : { libraryParameters: config.libraryParameters }),
    maxInFlight,
    callTimeoutMs,
    onStateChange: config.onStateChange,
    loadModule: config.loadModule,
  };
}
