import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** The session cookie: `<session id>.<secret>`, HttpOnly, SameSite=Strict, path /api. */
export const SESSION_COOKIE = 'sts_session';
/** The header that carries the CSRF token on every state-changing call of a session. */
export const CSRF_HEADER = 'x-csrf-token';
/** A session ends after this long without a request. */
export const IDLE_TIMEOUT_MS = 15 * 60_000;
/** A session ends this long after sign-in, however active. */
export const ABSOLUTE_TIMEOUT_MS = 12 * 3600_000;

const COOKIE_VALUE = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export interface SessionCredentials {
  readonly id: string;
  readonly secret: string;
}

export function newSessionCredentials(): SessionCredentials {
  return { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
}

export function cookieValueOf(credentials: SessionCredentials): string {
  return `${credentials.id}.${credentials.secret}`;
}

/** The session credentials in a Cookie header; undefined when absent or malformed. */
export function sessionFromCookieHeader(
  header: string | undefined,
): SessionCredentials | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const m = COOKIE_VALUE.exec(part.slice(eq + 1).trim());
    return m ? { id: m[1], secret: m[2] } : undefined;
  }
  return undefined;
}

/** What the database keeps of a session secret. */
export function secretHashOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The CSRF token of a session: derived from its secret, so the service recomputes it from the
 * cookie instead of storing it, and knowing it reveals nothing of the secret.
 */
export function csrfTokenOf(secret: string): string {
  return createHash('sha256').update(`csrf:${secret}`, 'utf8').digest('base64url');
}

/** Constant-time comparison of two hex or base64url strings. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The Set-Cookie value that gives the browser a session (`secure` over HTTPS). */
export function sessionCookie(credentials: SessionCredentials, secure: boolean): string {
  return (
    `${SESSION_COOKIE}=${cookieValueOf(credentials)}; Path=/api; HttpOnly; SameSite=Strict` +
    `; Max-Age=${ABSOLUTE_TIMEOUT_MS / 1000}${secure ? '; Secure' : ''}`
  );
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
