import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and audit event of one request shares. */
export interface RequestContext {
  readonly requestId: string;
  principalId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** What a caller's `X-Request-Id` must be. */
export const REQUEST_ID_RULE = 'must be 8-64 of A-Z a-z 0-9 . _ -';

/** The request id: the caller's `X-Request-Id` when it is well-formed, otherwise a new UUID. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && INCOMING_ID.test(header) ? header : randomUUID();
}

/** Runs `fn` with `context` as the current request context. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current request context, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The current request id, or `system` for work outside a request (scheduler, CLI). */
export function currentRequestId(): string {
  return storage.getStore()?.requestId ?? 'system';
}
