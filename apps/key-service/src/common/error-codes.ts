/** Every error code the API returns. Clients branch on these, never on message text. */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
  SELF_APPROVAL = 'SELF_APPROVAL',
  NOT_FOUND = 'NOT_FOUND',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  INVALID_STATE = 'INVALID_STATE',
  REVISION_IN_PROGRESS = 'REVISION_IN_PROGRESS',
  ALREADY_VOTED = 'ALREADY_VOTED',
  APPROVAL_EXPIRED = 'APPROVAL_EXPIRED',
  APPROVAL_PENDING = 'APPROVAL_PENDING',
  PAYLOAD_HASH_MISMATCH = 'PAYLOAD_HASH_MISMATCH',
  CHECK_VALUE_MISMATCH = 'CHECK_VALUE_MISMATCH',
  KRN_EXHAUSTED = 'KRN_EXHAUSTED',
  KRN_NOT_NEXT = 'KRN_NOT_NEXT',
  STS_UNSUPPORTED_COMBINATION = 'STS_UNSUPPORTED_COMBINATION',
  STS_UNSUPPORTED = 'STS_UNSUPPORTED',
  STS_TID_OUT_OF_RANGE = 'STS_TID_OUT_OF_RANGE',
  STS_KEY_EXPIRED = 'STS_KEY_EXPIRED',
  STS_INVALID_AMOUNT = 'STS_INVALID_AMOUNT',
  KEY_REFUSED = 'KEY_REFUSED',
  HSM_UNAVAILABLE = 'HSM_UNAVAILABLE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

/** The one exhaustive mapping from error code to HTTP status. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.OUT_OF_SCOPE:
    case ErrorCode.SELF_APPROVAL:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.INVALID_STATE:
    case ErrorCode.REVISION_IN_PROGRESS:
    case ErrorCode.ALREADY_VOTED:
    case ErrorCode.APPROVAL_EXPIRED:
    case ErrorCode.APPROVAL_PENDING:
    case ErrorCode.PAYLOAD_HASH_MISMATCH:
      return 409;
    case ErrorCode.CHECK_VALUE_MISMATCH:
    case ErrorCode.KRN_EXHAUSTED:
    case ErrorCode.KRN_NOT_NEXT:
    case ErrorCode.STS_UNSUPPORTED_COMBINATION:
    case ErrorCode.STS_UNSUPPORTED:
    case ErrorCode.STS_TID_OUT_OF_RANGE:
    case ErrorCode.STS_KEY_EXPIRED:
    case ErrorCode.STS_INVALID_AMOUNT:
    case ErrorCode.KEY_REFUSED:
      return 422;
    case ErrorCode.HSM_UNAVAILABLE:
    case ErrorCode.DATABASE_UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL:
      return 500;
  }
}
