import { Injectable } from '@nestjs/common';
import type { FindOptionsWhere } from 'typeorm';
import { type AuditInput, AuditService } from '../../audit/audit.service';
import type { AuthenticatedPrincipal } from '../../auth/authenticated-principal';
import { DomainError } from '../../common/domain-error';
import { TransactionRunner } from '../../database/transaction-runner';
import type { TokenIssuanceDto } from '../dto/vending-response.dto';
import { Issuance } from './issuance.entity';

/** Most answers one lookup returns (newest first). */
export const REPRINT_LOOKUP_MAX = 100;

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
 * only its own issuances; an auditor finds everyone's. Every answer returned is audited as a
 * reprint (`vending.reprint`).
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
      if (!row || (!isAuditor(caller) && row.clientId !== caller.id)) {
        throw DomainError.notFound('issuance', id);
      }
      await this.audit.record(em, reprintEvent(caller, row, {}));
      return JSON.parse(row.response) as TokenIssuanceDto;
    });
  }

  async find(caller: AuthenticatedPrincipal, lookup: ReprintLookup): Promise<TokenIssuanceDto[]> {
    const { field, value } = lookupField(lookup);
    const where: FindOptionsWhere<Issuance> = {
      [field]: value,
      ...(isAuditor(caller) ? {} : { clientId: caller.id }),
    };
    return this.tx.run(async (em) => {
      const rows = await em.find(Issuance, {
        where,
        order: { createdAt: 'DESC', id: 'ASC' },
        take: REPRINT_LOOKUP_MAX,
      });
      if (rows.length > 0) {
        await this.audit.record(
          em,
          ...rows.map((row) => reprintEvent(caller, row, { by: field, [field]: value })),
        );
      }
      return rows.map((row) => JSON.parse(row.response) as TokenIssuanceDto);
    });
  }
}

function isAuditor(caller: AuthenticatedPrincipal): boolean {
  return caller.roles.includes('auditor');
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
      tids: row.tids,
      ...lookup,
    },
  };
}
