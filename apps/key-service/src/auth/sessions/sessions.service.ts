import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import type { HttpRequest } from '../../common/http-types';
import { TransactionRunner } from '../../database/transaction-runner';
import { Principal } from '../../principals/principal.entity';
import type { Authentication } from '../../principals/principals.service';
import type { AuthenticatedPrincipal } from '../authenticated-principal';
import { ConsoleSession } from './session.entity';
import {
  ABSOLUTE_TIMEOUT_MS,
  CSRF_HEADER,
  csrfTokenOf,
  IDLE_TIMEOUT_MS,
  newSessionCredentials,
  sameText,
  secretHashOf,
  type SessionCredentials,
  sessionFromCookieHeader,
} from './session-secret';

/** A request that may carry a session cookie; the guard notes the session it authenticated. */
export interface SessionRequest extends HttpRequest {
  consoleSession?: { readonly id: string; readonly csrfToken: string };
}

/** A session as the person's browser sees it (never its secret). */
export interface SessionView {
  readonly id: string;
  readonly csrfToken: string;
  readonly idleExpiresAt: string;
  readonly expiresAt: string;
}

/** Requests a session may make without its CSRF token: the ones that change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A session's last-seen time is written at most this often (the idle timeout is minutes). */
const TOUCH_INTERVAL_MS = 5_000;

const ENDED =
  'Your console session has ended (signed out, idle for 15 minutes, or its key replaced): sign in again';

/**
 * Console sessions: a person presents their API key once (`POST /sessions`) and the browser then
 * holds an HttpOnly, SameSite=Strict cookie instead. Each request of a session is the same call a
 * script makes with the key, with the same principal as actor. State-changing calls carry the
 * session's CSRF token. The database keeps SHA-256 of the secret only.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Opens a session for `principal`, who authenticated with the API key `apiKeyId`. */
  async start(
    principal: AuthenticatedPrincipal,
    apiKeyId: string,
  ): Promise<{ credentials: SessionCredentials; view: SessionView }> {
    const credentials = newSessionCredentials();
    const now = this.clock.now();
    const session: ConsoleSession = {
      id: credentials.id,
      secretHash: secretHashOf(credentials.secret),
      principalId: principal.id,
      apiKeyId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS).toISOString(),
      endedAt: null,
    };
    await this.tx.run(async (em) => {
      await em.insert(ConsoleSession, session);
      await this.audit.record(em, {
        actor: principal,
        action: 'session.start',
        subjectType: 'session',
        subjectId: session.id,
      });
    });
    return { credentials, view: viewOf(session, csrfTokenOf(credentials.secret)) };
  }

  /**
   * The principal of the session cookie on `req`: undefined when there is none; 401 when the
   * session is unknown, ended, idle too long, past its lifetime, or its principal or key no longer
   * valid; 403 CSRF_TOKEN_INVALID for a state-changing call without the session's token.
   */
  async authenticate(req: SessionRequest): Promise<Authentication | undefined> {
    const cookie = req.headers.cookie;
    const credentials = sessionFromCookieHeader(typeof cookie === 'string' ? cookie : undefined);
    if (!credentials) return undefined;
    const found = await this.tx.read(async (em) => {
      const session = await em.findOneBy(ConsoleSession, { id: credentials.id });
      const principal = session ? await em.findOneBy(Principal, { id: session.principalId }) : null;
      return { session, principal };
    });
    const { session, principal } = found;
    const now = this.clock.now().getTime();
    if (
      !session ||
      !principal ||
      !sameText(secretHashOf(credentials.secret), session.secretHash) ||
      session.endedAt !== null ||
      now >= Date.parse(session.expiresAt) ||
      now >= Date.parse(session.lastSeenAt) + IDLE_TIMEOUT_MS ||
      principal.state !== 'active' ||
      principal.apiKeyId !== session.apiKeyId
    ) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, ENDED);
    }
    const csrfToken = csrfTokenOf(credentials.secret);
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameText(sent, csrfToken)) {
        throw new DomainError(
          ErrorCode.CSRF_TOKEN_INVALID,
          `A console session must send its CSRF token in ${CSRF_HEADER} on every call that changes something`,
        );
      }
    }
    if (now - Date.parse(session.lastSeenAt) >= TOUCH_INTERVAL_MS) {
      await this.touch(session.id);
    }
    req.consoleSession = { id: session.id, csrfToken };
    return {
      ok: true,
      principal: {
        id: principal.id,
        name: principal.name,
        roles: principal.roles,
        sgcScope: principal.sgcScope,
      },
      enrolment: false,
    };
  }

  /** The session `req` authenticated with (404 for a caller with an API key). */
  async current(req: SessionRequest): Promise<SessionView> {
    const authenticated = req.consoleSession;
    if (!authenticated) throw noSession();
    const session = await this.tx.read((em) =>
      em.findOneBy(ConsoleSession, { id: authenticated.id }),
    );
    if (!session) throw noSession();
    return viewOf(session, authenticated.csrfToken);
  }

  /** Restarts the idle timeout of the session `req` authenticated with. */
  async renew(req: SessionRequest): Promise<SessionView> {
    const authenticated = req.consoleSession;
    if (!authenticated) throw noSession();
    await this.touch(authenticated.id);
    return this.current(req);
  }

  /** Ends the session `req` authenticated with. */
  async end(actor: AuthenticatedPrincipal, req: SessionRequest): Promise<void> {
    const authenticated = req.consoleSession;
    if (!authenticated) throw noSession();
    await this.tx.run(async (em) => {
      await em.update(ConsoleSession, { id: authenticated.id }, { endedAt: this.clock.nowIso() });
      await this.audit.record(em, {
        actor,
        action: 'session.end',
        subjectType: 'session',
        subjectId: authenticated.id,
      });
    });
  }

  private async touch(id: string): Promise<void> {
    await this.tx.run((em) =>
      em.update(ConsoleSession, { id }, { lastSeenAt: this.clock.nowIso() }),
    );
  }
}

function noSession(): DomainError {
  return new DomainError(
    ErrorCode.NOT_FOUND,
    'This request was made with an API key, not in a console session',
  );
}

function viewOf(session: ConsoleSession, csrfToken: string): SessionView {
  const idleEnd = Date.parse(session.lastSeenAt) + IDLE_TIMEOUT_MS;
  const end = Date.parse(session.expiresAt);
  return {
    id: session.id,
    csrfToken,
    idleExpiresAt: new Date(Math.min(idleEnd, end)).toISOString(),
    expiresAt: session.expiresAt,
  };
}
