/** Failed answers of the service, in its own words, for every screen. */

/** The service's error answer: `{statusCode, code, message}`. */
export interface ServiceError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message?: string;
}

/** A failed answer in the service's own words: "409 PAYLOAD_HASH_MISMATCH: …". */
export function describeError(error: unknown, response: Response | undefined): string {
  const body = (error ?? {}) as ServiceError;
  const status = response?.status ?? body.statusCode;
  if (status === 503 && !body.message) return '503: the service is unavailable; try again shortly';
  const code = body.code ? ` ${body.code}` : '';
  return `${status ?? 'network error'}${code}: ${body.message ?? 'the service did not answer'}`;
}

/** Throws the service's message when a call failed; returns its data otherwise. */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new Error(describeError(result.error, result.response));
  }
  return result.data;
}
