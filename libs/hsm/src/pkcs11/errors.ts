import * as pkcs11js from 'pkcs11js';
import { type HsmErrorCode, HsmError } from '../key-custody.port';

/**
 * The one place where PKCS#11 failures become port errors (issue 3, "Every Pkcs11Error mapped
 * in one place"; STYLE "map Pkcs11Error.code to domain errors in one place"). Messages name the
 * operation and the CKR value, never key material or the PIN.
 */

/** PKCS#11 v2.40's CKR_ACTION_PROHIBITED, which pkcs11js does not export. */
const CKR_ACTION_PROHIBITED = 0x1b;

/** CKR value -> name, built from the constants pkcs11js exports. */
const CKR_NAMES: ReadonlyMap<number, string> = new Map([
  ...Object.entries(pkcs11js)
    .filter(([name, value]) => name.startsWith('CKR_') && typeof value === 'number')
    .map(([name, value]): [number, string] => [value as number, name]),
  [CKR_ACTION_PROHIBITED, 'CKR_ACTION_PROHIBITED'],
]);

/** The CKR name of a return value (e.g. `CKR_PIN_INCORRECT`), or its hex value. */
export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16)}`;
}

const BY_NAME: Readonly<Record<string, HsmErrorCode>> = {
  CKR_PIN_INCORRECT: 'AUTHENTICATION_FAILED',
  CKR_PIN_INVALID: 'AUTHENTICATION_FAILED',
  CKR_PIN_LEN_RANGE: 'AUTHENTICATION_FAILED',
  CKR_PIN_LOCKED: 'AUTHENTICATION_FAILED',
  CKR_PIN_EXPIRED: 'AUTHENTICATION_FAILED',
  CKR_USER_NOT_LOGGED_IN: 'AUTHENTICATION_FAILED',
  CKR_USER_PIN_NOT_INITIALIZED: 'AUTHENTICATION_FAILED',
  CKR_USER_TYPE_INVALID: 'AUTHENTICATION_FAILED',

  CKR_OBJECT_HANDLE_INVALID: 'NOT_FOUND',
  CKR_KEY_HANDLE_INVALID: 'NOT_FOUND',
  CKR_WRAPPING_KEY_HANDLE_INVALID: 'NOT_FOUND',
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: 'NOT_FOUND',

  CKR_ATTRIBUTE_SENSITIVE: 'NOT_PERMITTED',
  CKR_KEY_UNEXTRACTABLE: 'NOT_PERMITTED',
  CKR_KEY_NOT_WRAPPABLE: 'NOT_PERMITTED',
  CKR_KEY_FUNCTION_NOT_PERMITTED: 'NOT_PERMITTED',
  CKR_KEY_TYPE_INCONSISTENT: 'NOT_PERMITTED',
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: 'NOT_PERMITTED',
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: 'NOT_PERMITTED',
  CKR_KEY_INDIGESTIBLE: 'NOT_PERMITTED',
  CKR_ACTION_PROHIBITED: 'NOT_PERMITTED',
  CKR_ATTRIBUTE_READ_ONLY: 'NOT_PERMITTED',
  CKR_TOKEN_WRITE_PROTECTED: 'NOT_PERMITTED',

  CKR_ARGUMENTS_BAD: 'INVALID_INPUT',
  CKR_DATA_INVALID: 'INVALID_INPUT',
  CKR_DATA_LEN_RANGE: 'INVALID_INPUT',
  CKR_ENCRYPTED_DATA_INVALID: 'INVALID_INPUT',
  CKR_ENCRYPTED_DATA_LEN_RANGE: 'INVALID_INPUT',
  CKR_WRAPPED_KEY_INVALID: 'INVALID_INPUT',
  CKR_WRAPPED_KEY_LEN_RANGE: 'INVALID_INPUT',
  CKR_KEY_SIZE_RANGE: 'INVALID_INPUT',
  CKR_UNWRAPPING_KEY_SIZE_RANGE: 'INVALID_INPUT',
  CKR_WRAPPING_KEY_SIZE_RANGE: 'INVALID_INPUT',
  CKR_ATTRIBUTE_VALUE_INVALID: 'INVALID_INPUT',
  CKR_ATTRIBUTE_TYPE_INVALID: 'INVALID_INPUT',
  CKR_TEMPLATE_INCOMPLETE: 'INVALID_INPUT',
  CKR_TEMPLATE_INCONSISTENT: 'INVALID_INPUT',
  CKR_MECHANISM_PARAM_INVALID: 'INVALID_INPUT',
  CKR_SIGNATURE_LEN_RANGE: 'INVALID_INPUT',
  CKR_BUFFER_TOO_SMALL: 'INVALID_INPUT',
};

/**
 * Per-operation reinterpretations. SoftHSM reports a failed RFC 5649 integrity check as
 * CKR_GENERAL_ERROR, so during an unwrap a general error means "tampered blob".
 */
export type ErrorContext = 'default' | 'unwrap';

const CONTEXT_OVERRIDES: Readonly<Record<ErrorContext, Readonly<Record<string, HsmErrorCode>>>> = {
  default: {},
  unwrap: {
    CKR_GENERAL_ERROR: 'INVALID_INPUT',
    CKR_FUNCTION_FAILED: 'INVALID_INPUT',
  },
};

/** Codes after which the session should be dropped (it no longer works). */
export const DEAD_SESSION_CODES: ReadonlySet<string> = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
]);

/**
 * Answers that mean the device, or this process's connection to it, is broken: the sessions
 * and login must be rebuilt. CKR_GENERAL_ERROR is among them (SoftHSM answers it for a token
 * whose files vanished) except where a context maps it to something else (an unwrap: a
 * tampered blob). Refusals of a request (an unsupported mechanism, a bad input, a wrong PIN)
 * never are: reconnecting would not change the answer and would disturb every other call.
 */
const DEVICE_FAULT_CODES: ReadonlySet<string> = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_REMOVED',
  'CKR_DEVICE_MEMORY',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_GENERAL_ERROR',
]);

/** Whether a mapped failure is a device fault (reconnect) rather than a refused request. */
export function isDeviceFault(error: HsmError): boolean {
  if (error.pkcs11Code === undefined || !DEVICE_FAULT_CODES.has(error.pkcs11Code)) return false;
  return error.code === 'UNAVAILABLE' || error.code === 'AUTHENTICATION_FAILED';
}

/**
 * Start-up failures worth another attempt (the start-up race: another process rewriting the
 * token files while this one initializes). Authentication failures are never among them.
 */
export const TRANSIENT_STARTUP_CODES: ReadonlySet<string> = new Set([
  'CKR_GENERAL_ERROR',
  'CKR_FUNCTION_FAILED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_CANT_LOCK',
  'CKR_SESSION_COUNT',
]);

/**
 * Turns anything a PKCS#11 call threw into an `HsmError`. `HsmError`s pass through; a native
 * error without a CKR value (module failed to load) is UNAVAILABLE; unknown CKR values are
 * UNAVAILABLE (the device, not the caller, is at fault).
 */
export function toHsmError(
  error: unknown,
  operation: string,
  context: ErrorContext = 'default',
): HsmError {
  if (error instanceof HsmError) return error;
  const ckr = ckrOf(error);
  if (ckr !== undefined) {
    const name = ckrName(ckr);
    const code = CONTEXT_OVERRIDES[context][name] ?? BY_NAME[name] ?? 'UNAVAILABLE';
    return new HsmError(code, `${operation}: the token answered ${name}`, name);
  }
  if (error instanceof pkcs11js.NativeError) {
    return new HsmError(
      'UNAVAILABLE',
      `${operation}: the PKCS#11 module failed (${error.method || 'native'})`,
    );
  }
  if (
    error instanceof Error &&
    /cannot open shared object|No such file|dlopen/i.test(error.message)
  ) {
    return new HsmError('UNAVAILABLE', `${operation}: the PKCS#11 module could not be loaded`);
  }
  return new HsmError('UNAVAILABLE', `${operation}: unexpected failure (${describeError(error)})`);
}

/** The CKR name carried by an error, if any (for retry and session decisions). */
export function pkcs11CodeOf(error: unknown): string | undefined {
  if (error instanceof HsmError) return error.pkcs11Code;
  const ckr = ckrOf(error);
  return ckr === undefined ? undefined : ckrName(ckr);
}

const RAW_CKR = /^CKR_\w+:(\d+)$/;

/**
 * The CKR value of a PKCS#11 failure. pkcs11js wraps most calls' failures in `Pkcs11Error`, but
 * C_CopyObject, C_CreateObject and C_SetAttributeValue (which it overrides to convert templates)
 * throw the addon's plain error, whose message is `CKR_NAME:value`.
 */
function ckrOf(error: unknown): number | undefined {
  if (error instanceof pkcs11js.Pkcs11Error) return error.code;
  const message = (error as { message?: unknown } | null)?.message;
  const match = typeof message === 'string' ? RAW_CKR.exec(message) : null;
  return match === null ? undefined : Number(match[1]);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
