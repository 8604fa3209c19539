import { Injectable } from '@nestjs/common';
import type { FindOptionsWhere } from 'typeorm';
import { type AuditInput, AuditService } from '../../audit/audit.service';
import type { AuthenticatedPrincipal } from '../../auth/authenticated-principal';
import { scopeFilter } from '../../auth/supply-group-scope';
import { DomainError } from '../../common/domain-error';
import { TransactionRunner } from '../../database/transaction-runner';
import type { TokenIssuanceDto, TokenIssuanceListDto } from '../dto/vending-response.dto';
import { Issuance } from './issuance.entity';
import { type PageOrder, type PageQueryDto, readPage } from '../../common/paging';

/** The order of lookup answers: newest first. */
const ISSUANCE_ORDER: PageOrder<Issuance> = {
  keys: [
    { column: 'i.created_at', value: (i) => i.createdAt },
    { column: 'i.id', value: (i) => i.id },
  ],
  direction: 'DESC',
};

/** What a reprint lookup names: exactly one of the two. */
export interface ReprintLookup {
  /** The client's Idempotency-Key (found while it is kept, STS_VENDING_IDEMPOTENCY_HOURS). */
  readonly idempotencyKey?: string;
  /** The request id the issuance was made under (the caller's X-Request-Id, or the service's). */
  readonly requestId?: string;
}

/** The one field a lookup names, or a 400 naming the field when it names none or both. */
export function lookupField(lookup: ReprintLookup): {
  field: 'idempotencyKey' | 'requestId';
  value: string;
} {
  const { idempotencyKey, requestId } = lookup;
  if (idempotencyKey !== undefined && requestId !== undefined) {
    throw DomainError.validation(
      'requestId',
      'requestId: give either idempotencyKey or requestId, not both',
    );
  }
  if (idempotencyKey !== undefined) return { field: 'idempotencyKey', value: idempotencyKey };
  if (requestId !== undefined) return { field: 'requestId', value: requestId };
  throw DomainError.validation(
    'idempotencyKey',
    'idempotencyKey: give idempotencyKey or requestId to look an issuance up',
  );
}

/**
 * Reprints of earlier answers: by issuance id, or by what the client knows about its request (the
 * Idempotency-Key it sent, or the request id the issuance was made under). A vending client finds
 * only its own issuances, within its supply-group scope, with the whole tokens; an auditor finds
 * everyone's with each token masked to its last four digits (a reprint of a value-bearing token is
 * for the client that sold it). Every answer returned is audited as a reprint (`vending.reprint`).
 */
@Injectable()
export class IssuanceReprints {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /** An earlier answer by its issuance id: the client that asked for it, or an auditor. */
  async byId(caller: AuthenticatedPrincipal, id: string): Promise<TokenIssuanceDto> {
    return this.tx.run(async (em) => {
      const row = await em.findOneBy(Issuance, { id });
      if (!row || !mayRead(caller, row)) throw DomainError.notFound('issuance', id);
      await this.audit.record(em, reprintEvent(caller, row, {}));
      return answerFor(caller, row);
    });
  }

  /** One page of earlier answers to a lookup, newest first; each one returned is audited. */
  async find(
    caller: AuthenticatedPrincipal,
    lookup: ReprintLookup & PageQueryDto,
  ): Promise<TokenIssuanceListDto> {
    const { field, value } = lookupField(lookup);
    const where: FindOptionsWhere<Issuance> = {
      [field]: value,
      ...(seesEveryone(caller) ? {} : { clientId: caller.id }),
    };
    return this.tx.run(async (em) => {
      const { rows, next } = await readPage(
        em.createQueryBuilder(Issuance, 'i').where(where),
        ISSUANCE_ORDER,
        lookup,
      );
      const readable = rows.filter((row) => mayRead(caller, row));
      if (readable.length > 0) {
        await this.audit.record(
          em,
          ...readable.map((row) => reprintEvent(caller, row, { by: field, [field]: value })),
        );
      }
      return { items: readable.map((row) => answerFor(caller, row)), next };
    });
  }
}

/** Auditors read every client's issuances; a vending client (whatever else it holds) its own. */
function seesEveryone(caller: AuthenticatedPrincipal): boolean {
  return caller.roles.includes('auditor') && !caller.roles.includes('vending-client');
}

function mayRead(caller: AuthenticatedPrincipal, row: Issuance): boolean {
  if (seesEveryone(caller)) return true;
  return row.clientId === caller.id && (row.sgc === null || inScope(caller, row.sgc));
}

function inScope(caller: AuthenticatedPrincipal, sgc: string): boolean {
  return scopeFilter(caller)?.includes(sgc) ?? true;
}

/** The stored answer: whole for the client that asked for it, tokens masked for anyone else. */
function answerFor(caller: AuthenticatedPrincipal, row: Issuance): TokenIssuanceDto {
  const answer = JSON.parse(row.response) as TokenIssuanceDto;
  if (row.clientId === caller.id) return answer;
  return { ...answer, tokens: answer.tokens.map((t) => ({ ...t, token: maskToken(t.token) })) };
}

/** A token with all but its last four digits replaced by `*`. */
export function maskToken(token: string): string {
  return '*'.repeat(Math.max(0, token.length - 4)) + token.slice(-4);
}

/** The audit event of one reprinted answer (identifiers only: the tokens stay in the record). */
function reprintEvent(
  caller: AuthenticatedPrincipal,
  row: Issuance,
  lookup: Record<string, string>,
): AuditInput {
  return {
    actor: caller,
    action: 'vending.reprint',
    subjectType: 'issuance',
    subjectId: row.id,
    details: {
      kind: row.kind,
      clientId: row.clientId,
      iin: row.iin,
      drn: row.drn,
      tids: (JSON.parse(row.response) as TokenIssuanceDto).tids.map(String),
      ...lookup,
    },
  };
}
