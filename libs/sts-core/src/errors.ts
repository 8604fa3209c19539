/**
 * Why an STS operation refused its input. Codes are stable: callers branch on them, never on
 * message text.
 */
export type StsErrorCode =
  /** A value has the wrong type, length, format or range. `field` names it. */
  | 'INVALID_INPUT'
  /** The inputs are individually valid but cannot be combined (e.g. DKGA02 with EA11). */
  | 'UNSUPPORTED_COMBINATION'
  /** The algorithm, class or subclass exists in the standard but is not supported. */
  | 'UNSUPPORTED'
  /** The issue time is before the base date or past the 24-bit TID range. */
  | 'TID_OUT_OF_RANGE'
  /** The key's KEN does not cover the token's TID: a meter would refuse it as key-expired. */
  | 'KEY_EXPIRED'
  /** The amount cannot be represented (negative, too large, too many decimals). */
  | 'INVALID_AMOUNT';

/** The one error type thrown by `@sts/core` for anything a caller passed in. */
export class StsError extends Error {
  override readonly name = 'StsError';

  /**
   * @param code - stable machine-readable reason
   * @param field - the input field at fault (request field name, e.g. `drn`, `amount`)
   * @param message - human-readable text that names the field
   */
  constructor(
    readonly code: StsErrorCode,
    public field: string | undefined,
    message: string,
  ) {
    super(message);
  }

  /**
   * Qualifies the field with the enclosing object's name (`drn` -> `key.drn`), in place, so
   * nested request errors name the full path without a second stack capture.
   */
  qualify(prefix: string): this {
    if (this.field !== undefined && !this.field.startsWith(`${prefix}.`)) {
      this.field = `${prefix}.${this.field}`;
      this.message = `${prefix}.${this.message}`;
    }
    return this;
  }
}

/** Throws `INVALID_INPUT` for `field` with `message` (used by every input check). */
export function invalid(field: string, message: string): never {
  throw new StsError('INVALID_INPUT', field, `${field}: ${message}`);
}

/** Asserts that `value` is an integer in `[min, max]`; returns it. */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A short, safe description of a bad value for error messages (never echoes long strings). */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'nothing' : typeof value === 'object' ? 'an object' : typeof value;
}
