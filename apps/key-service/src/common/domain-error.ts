import { HsmError } from '@sts/hsm';
import { StsError } from '@sts/core';
import { ErrorCode } from './error-codes';

/** Details attached to an error; never contains secrets. */
export type ErrorDetails = Record<string, unknown>;

/** The one exception type services throw; the global filter maps `code` to HTTP. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }

  static validation(field: string, message: string): DomainError {
    return new DomainError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field, message }] });
  }

  static notFound(what: string, id: string): DomainError {
    return new DomainError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { [what]: id });
  }

  static invalidState(message: string, details?: ErrorDetails): DomainError {
    return new DomainError(ErrorCode.INVALID_STATE, message, details);
  }
}

/** Maps an `@sts/core` validation error: bad input is a 400 naming the field, rule violations 422. */
export function fromStsError(error: StsError): DomainError {
  const field = error.field ?? 'body';
  switch (error.code) {
    case 'INVALID_INPUT':
      return DomainError.validation(field, error.message);
    case 'UNSUPPORTED_COMBINATION':
      return new DomainError(ErrorCode.STS_UNSUPPORTED_COMBINATION, error.message, { field });
    case 'UNSUPPORTED':
      return new DomainError(ErrorCode.STS_UNSUPPORTED, error.message, { field });
    case 'TID_OUT_OF_RANGE':
      return new DomainError(ErrorCode.STS_TID_OUT_OF_RANGE, error.message, { field });
    case 'KEY_EXPIRED':
      return new DomainError(ErrorCode.STS_KEY_EXPIRED, error.message, { field });
    case 'INVALID_AMOUNT':
      return new DomainError(ErrorCode.STS_INVALID_AMOUNT, error.message, { field });
  }
}

/** Maps a key-custody port error. Messages from the port never contain key material. */
export function fromHsmError(error: HsmError): DomainError {
  switch (error.code) {
    case 'UNAVAILABLE':
    case 'AUTHENTICATION_FAILED':
      return new DomainError(
        ErrorCode.HSM_UNAVAILABLE,
        'The key token is unavailable; retry later',
      );
    case 'NOT_FOUND':
      // Every label the service hands the token comes from its registry: a key the token cannot
      // find is a fault of the token (restored from an old backup, objects deleted), never the
      // client's. Callers for which absence is expected catch NOT_FOUND before it gets here.
      return new DomainError(
        ErrorCode.HSM_KEY_MISSING,
        'A key the registry holds is missing from the token; the operators are alerted',
      );
    case 'ALREADY_EXISTS':
      return new DomainError(ErrorCode.ALREADY_EXISTS, 'A key object with that label exists');
    case 'NOT_PERMITTED':
      return new DomainError(ErrorCode.KEY_REFUSED, 'The token refused the operation for that key');
    case 'INVALID_INPUT':
      return new DomainError(
        ErrorCode.KEY_REFUSED,
        `The token refused the input: ${error.message}`,
      );
    case 'CHECK_VALUE_MISMATCH':
      return new DomainError(
        ErrorCode.CHECK_VALUE_MISMATCH,
        'The key does not match the check value it was entered with',
      );
  }
}

/** Maps any error from our dependencies to a DomainError when it is one we understand. */
export function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof StsError) return fromStsError(error);
  if (error instanceof HsmError) return fromHsmError(error);
  if (isDatabaseUnavailable(error)) {
    return new DomainError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The database is unavailable; retry later',
    );
  }
  return undefined;
}

const PG_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '53300',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** Whether an error means the database cannot be reached (not a constraint or query error). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; driverError?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (PG_UNAVAILABLE.has(e.code) || NET_CODES.has(e.code))) {
    return true;
  }
  if (
    typeof e.code === 'string' &&
    /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|READONLY|FULL)/.test(e.code)
  ) {
    return true;
  }
  if (typeof e.message === 'string') {
    if (
      /Connection terminated|connection is not open|Cannot use a pool after calling end|The database connection is not open|Driver not Connected/i.test(
        e.message,
      )
    ) {
      return true;
    }
  }
  return (
    e.driverError !== undefined && e.driverError !== error && isDatabaseUnavailable(e.driverError)
  );
}

/** Whether an error is a unique-constraint violation (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; driverError?: unknown };
  if (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    return true;
  }
  return e.driverError !== undefined && e.driverError !== error && isUniqueViolation(e.driverError);
}
