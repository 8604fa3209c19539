import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { parseMeterId, StsError } from '@sts/core';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { assertInScope, scopeFilter } from '../auth/supply-group-scope';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { type PageOrder, readPage } from '../common/paging';
import { TransactionRunner } from '../database/transaction-runner';
import { assertEaAllowed, assertKeyParameters } from '../vending/rules/sts-rules';
import { VendingKey, type VendingKeyState } from '../vending-keys/vending-key.entity';
import {
  type KeyChangeRefusedDto,
  type MeterKeyImportDto,
  type MeterKeyListDto,
  type MeterKeyQueryDto,
  MeterKeyRecordDto,
  type RegisterMeterKeyDto,
  type RevisionMeterCountDto,
} from './dto/meter-key.dto';
import { dueKeyChange, type DueKeyChange } from './key-change-due';
import { readMeterKeyRows, type MeterKeyRow } from './meter-key-csv';
import { MeterKeyRecord } from './meter-key.entity';
import { changeRefused, heldKeyOf, type MeterKeyFields, registered } from './meter-key-transitions';

/** Revisions a meter can be registered on: loaded and not destroyed. */
export const HOLDABLE: readonly VendingKeyState[] = [
  'active',
  'suspended',
  'superseded',
  'expired',
];

/** Rows written per statement (and per transaction and audit event) by a bulk import. */
export const IMPORT_BATCH = 500;
const BAD_ROWS_SHOWN = 100;

const ORDER: PageOrder<MeterKeyRecord> = {
  keys: [
    { column: 'm.iin', value: (m) => m.iin },
    { column: 'm.drn', value: (m) => m.drn },
  ],
  direction: 'ASC',
};

function meterId(iin: string, drn: string): { iin: string; drn: string } {
  try {
    return parseMeterId(iin, drn);
  } catch (error) {
    if (error instanceof StsError)
      throw DomainError.validation(error.field ?? 'drn', error.message);
    throw error;
  }
}

function fields(row: MeterKeyRecord): MeterKeyFields {
  const { iin: _iin, drn: _drn, ...rest } = row;
  return rest;
}

/**
 * The meter key registry: which key each meter is believed to hold, how it got there, and the
 * last key-change set issued to it. Vending systems read and register the meters of their supply
 * groups; officers register lists in bulk; issuances that move a meter update its row in their
 * own transaction (see {@link keyChangeIssued}).
 */
@Injectable()
export class MeterKeysService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A meter's row with the key change due at its next purchase; 404 when unknown or out of scope. */
  async get(actor: AuthenticatedPrincipal, iin: string, drn: string): Promise<MeterKeyRecordDto> {
    const id = meterId(iin, drn);
    return this.tx.read(async (em) => {
      const row = await em.findOneBy(MeterKeyRecord, id);
      const scope = scopeFilter(actor);
      if (!row || (scope && !scope.includes(row.sgc))) {
        throw DomainError.notFound('meter', `${id.iin}-${id.drn}`);
      }
      return this.describe(em, row);
    });
  }

  /** Meters in IIN/DRN order, optionally of one supply group or revision (vending clients: their scope). */
  async list(actor: AuthenticatedPrincipal, q: MeterKeyQueryDto): Promise<MeterKeyListDto> {
    if (q.krn !== undefined && q.sgc === undefined) {
      throw DomainError.validation('sgc', 'sgc: required with krn');
    }
    return this.tx.read(async (em) => {
      const qb = em.createQueryBuilder(MeterKeyRecord, 'm');
      const scope = scopeFilter(actor);
      if (scope) qb.andWhere('m.sgc IN (:...scope)', { scope: scope.length ? scope : [''] });
      if (q.sgc !== undefined) qb.andWhere('m.sgc = :sgc', { sgc: q.sgc });
      if (q.krn !== undefined) qb.andWhere('m.krn = :krn', { krn: q.krn });
      const page = await readPage(qb, ORDER, q);
      const keys = await this.keyNames(em, page.rows);
      return {
        items: page.rows.map((r) => MeterKeyRecordDto.from(r, keys, null)),
        next: page.next,
      };
    });
  }

  /** How many meters the registry places on each revision (vending clients: their scope). */
  async counts(actor: AuthenticatedPrincipal, sgc?: string): Promise<RevisionMeterCountDto[]> {
    if (sgc !== undefined) assertInScope(actor, sgc);
    return this.tx.read(async (em) => {
      const qb = em
        .createQueryBuilder(MeterKeyRecord, 'm')
        .select('m.sgc', 'sgc')
        .addSelect('m.krn', 'krn')
        .addSelect('COUNT(*)', 'meters')
        .groupBy('m.sgc')
        .addGroupBy('m.krn')
        .orderBy('m.sgc')
        .addOrderBy('m.krn');
      const scope = scopeFilter(actor);
      if (scope) qb.andWhere('m.sgc IN (:...scope)', { scope: scope.length ? scope : [''] });
      if (sgc !== undefined) qb.andWhere('m.sgc = :sgc', { sgc });
      const rows = await qb.getRawMany<{
        sgc: string;
        krn: number | string;
        meters: number | string;
      }>();
      return rows.map((r) => ({ sgc: r.sgc, krn: Number(r.krn), meters: Number(r.meters) }));
    });
  }

  /** Records the key a meter holds, as stated by a vending system (its scope) or an officer. */
  async register(
    actor: AuthenticatedPrincipal,
    iin: string,
    drn: string,
    dto: RegisterMeterKeyDto,
  ): Promise<MeterKeyRecordDto> {
    const id = meterId(iin, drn);
    assertInScope(actor, dto.sgc);
    return this.tx.run(async (em) => {
      const key = await this.holdable(em, dto.sgc, dto.krn);
      if (!key) {
        throw new DomainError(ErrorCode.NOT_FOUND, `No vending key SGC ${dto.sgc} KRN ${dto.krn}`, {
          field: 'krn',
          sgc: dto.sgc,
          krn: dto.krn,
        });
      }
      assertKeyParameters(key, dto, 'meter');
      assertEaAllowed(key, dto.ea, 'ea');
      const existing = await em.findOneBy(MeterKeyRecord, id);
      if (existing) assertInScope(actor, existing.sgc);
      const next = registered(existing ? fields(existing) : null, heldKeyOf(key, dto.tariffIndex), {
        ea: dto.ea,
        recordedBy: actor.id,
        at: this.clock.nowIso(),
      });
      const row = em.create(MeterKeyRecord, { ...id, ...next });
      await em.save(row);
      await this.audit.record(em, {
        actor,
        action: 'meter-key.register',
        subjectType: 'meter',
        subjectId: `${id.iin}-${id.drn}`,
        details: {
          sgc: key.sgc,
          krn: key.krn,
          tariffIndex: dto.tariffIndex,
          ea: dto.ea,
          vendingKeyId: key.id,
          previous: existing
            ? { sgc: existing.sgc, krn: existing.krn, tariffIndex: existing.tariffIndex }
            : null,
          ...(next.changeState && next.changeState !== existing?.changeState
            ? { keyChange: { id: next.changeId, state: next.changeState } }
            : {}),
        },
      });
      return this.describe(em, row);
    });
  }

  /**
   * The vending system learnt that the meter never took the last key-change set issued to it:
   * the row moves back to the key the set moved it from, and the same set is due again. Reporting the same set twice answers the same row.
   */
  async reportRefused(
    actor: AuthenticatedPrincipal,
    iin: string,
    drn: string,
    dto: KeyChangeRefusedDto,
  ): Promise<MeterKeyRecordDto> {
    const id = meterId(iin, drn);
    return this.tx.run(async (em) => {
      const row = await em.findOneBy(MeterKeyRecord, id);
      const scope = scopeFilter(actor);
      if (!row || (scope && !scope.includes(row.sgc))) {
        throw DomainError.notFound('meter', `${id.iin}-${id.drn}`);
      }
      if (row.changeId !== dto.changeId) {
        throw new DomainError(
          ErrorCode.INVALID_STATE,
          row.changeId === null
            ? 'No key-change set was issued to this meter'
            : `changeId: the last key-change set issued to this meter is ${row.changeId}`,
          { field: 'changeId', lastChangeId: row.changeId },
        );
      }
      if (row.changeState === 'refused') return this.describe(em, row);
      if (row.changeState !== 'issued') {
        throw DomainError.invalidState(
          `The key-change set ${row.changeId} is ${row.changeState}: the meter was seen on its new key`,
          { field: 'changeId', state: row.changeState },
        );
      }
      const from = await em.findOneBy(VendingKey, { id: row.changeFromKeyId ?? '' });
      if (!from) throw DomainError.notFound('vendingKey', row.changeFromKeyId ?? '');
      const next = changeRefused(
        fields(row),
        heldKeyOf(from, row.changeFromTi ?? row.tariffIndex),
        {
          ea: row.ea,
          recordedBy: actor.id,
          at: this.clock.nowIso(),
        },
      );
      const updated = em.create(MeterKeyRecord, { ...id, ...next });
      await em.save(updated);
      await this.audit.record(em, {
        actor,
        action: 'meter-key.change-refused',
        subjectType: 'meter',
        subjectId: `${id.iin}-${id.drn}`,
        details: {
          changeId: row.changeId,
          backTo: { sgc: from.sgc, krn: from.krn },
          from: { sgc: row.sgc, krn: row.krn },
        },
      });
      return this.describe(em, updated);
    });
  }

  /**
   * Registers a CSV list of meters (officers): header naming `iin`, `drn`, `sgc`, `krn`,
   * `tariffIndex`, `ea` in any order, then one meter a line. Rows are checked one by one (a bad
   * row is reported, the rest proceed) and written in batches of {@link IMPORT_BATCH}, each batch
   * in one transaction with one audit event holding its row range and the hash of its rows.
   */
  async importCsv(
    actor: AuthenticatedPrincipal,
    body: AsyncIterable<Buffer | string>,
  ): Promise<MeterKeyImportDto> {
    const keys = await this.tx.read((em) => em.findBy(VendingKey, { state: In([...HOLDABLE]) }));
    const byRef = new Map(keys.map((k) => [`${k.sgc}|${k.krn}`, k]));
    const result: MeterKeyImportDto = {
      rows: 0,
      registered: 0,
      refused: 0,
      badRows: [],
      sha256: '',
    };
    const whole = createHash('sha256');
    let batch: { row: MeterKeyRow; key: VendingKey }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      result.registered += await this.writeBatch(actor, rows, whole);
    };
    for await (const item of readMeterKeyRows(body)) {
      result.rows += 1;
      const key = 'row' in item ? byRef.get(`${item.row.sgc}|${item.row.krn}`) : undefined;
      const problem =
        'bad' in item
          ? item.bad
          : !key
            ? {
                field: 'krn',
                message: `krn: no vending key SGC ${item.row.sgc} KRN ${item.row.krn}`,
              }
            : !key.allowedEas.includes(item.row.ea)
              ? {
                  field: 'ea',
                  message: `ea: EA${item.row.ea} is not allowed for SGC ${key.sgc} KRN ${key.krn}`,
                }
              : null;
      if (problem || !key || !('row' in item)) {
        result.refused += 1;
        if (result.badRows.length < BAD_ROWS_SHOWN) {
          result.badRows.push({
            row: item.line,
            ...(problem ?? { field: 'row', message: 'refused' }),
          });
        }
        continue;
      }
      batch.push({ row: item.row, key });
      if (batch.length === IMPORT_BATCH) await flush();
    }
    await flush();
    result.sha256 = whole.digest('hex');
    return result;
  }

  /** One batch of an import: the rows as they are, then the new rows, then one audit event. */
  private async writeBatch(
    actor: AuthenticatedPrincipal,
    items: readonly { row: MeterKeyRow; key: VendingKey }[],
    whole: ReturnType<typeof createHash>,
  ): Promise<number> {
    // A meter listed twice in one batch keeps its last line.
    const latest = new Map(items.map((i) => [`${i.row.iin}|${i.row.drn}`, i]));
    const hash = createHash('sha256');
    for (const { row } of latest.values()) {
      const line = `${row.iin},${row.drn},${row.sgc},${row.krn},${row.tariffIndex},${row.ea}\n`;
      hash.update(line);
      whole.update(line);
    }
    const at = this.clock.nowIso();
    await this.tx.run(async (em) => {
      const existing = await em.findBy(
        MeterKeyRecord,
        [...latest.values()].map(({ row }) => ({ iin: row.iin, drn: row.drn })),
      );
      const before = new Map(existing.map((e) => [`${e.iin}|${e.drn}`, e]));
      const rows = [...latest.entries()].map(([ref, { row, key }]) => {
        const old = before.get(ref);
        return {
          iin: row.iin,
          drn: row.drn,
          ...registered(old ? fields(old) : null, heldKeyOf(key, row.tariffIndex), {
            ea: row.ea,
            recordedBy: actor.id,
            at,
          }),
        };
      });
      await em
        .createQueryBuilder()
        .insert()
        .into(MeterKeyRecord)
        .values(rows)
        .orUpdate(
          Object.keys(rows[0])
            .filter((p) => p !== 'iin' && p !== 'drn')
            .map(
              (p) =>
                em.connection.getMetadata(MeterKeyRecord).findColumnWithPropertyName(p)!
                  .databaseName,
            ),
          ['iin', 'drn'],
        )
        .execute();
      await this.audit.record(em, {
        actor,
        action: 'meter-key.import',
        subjectType: 'meter-list',
        subjectId: hash.copy().digest('hex').slice(0, 16),
        details: {
          meters: rows.length,
          firstLine: Math.min(...items.map((i) => i.row.line)),
          lastLine: Math.max(...items.map((i) => i.row.line)),
          sha256: hash.digest('hex'),
        },
      });
    });
    return latest.size;
  }

  /** The due key change of a row, from the revisions of its supply group. */
  async dueFor(em: EntityManager, row: MeterKeyRecord): Promise<DueKeyChange | null> {
    const current = await em.findOneBy(VendingKey, { id: row.vendingKeyId });
    if (!current) return null;
    const revisions = await em.findBy(VendingKey, {
      supplyGroupId: current.supplyGroupId,
      state: In([...HOLDABLE]),
    });
    const refusedTo =
      row.changeState === 'refused' && row.changeToKeyId
        ? await em.findOneBy(VendingKey, { id: row.changeToKeyId })
        : null;
    return dueKeyChange(
      {
        key: current,
        tariffIndex: row.tariffIndex,
        ea: row.ea,
        refusedChange:
          refusedTo && row.changeId
            ? {
                changeId: row.changeId,
                to: refusedTo,
                tariffIndex: row.changeToTi ?? row.tariffIndex,
              }
            : null,
      },
      revisions,
      this.clock.nowIso(),
    );
  }

  private async describe(em: EntityManager, row: MeterKeyRecord): Promise<MeterKeyRecordDto> {
    const keys = await this.keyNames(em, [row]);
    return MeterKeyRecordDto.from(row, keys, await this.dueFor(em, row));
  }

  /** SGC and KRN of the revisions the rows' key changes name. */
  private async keyNames(
    em: EntityManager,
    rows: readonly MeterKeyRecord[],
  ): Promise<Map<string, { sgc: string; krn: number }>> {
    const ids = [
      ...new Set(
        rows.flatMap((r) => [r.changeFromKeyId, r.changeToKeyId]).filter((x): x is string => !!x),
      ),
    ];
    if (ids.length === 0) return new Map();
    const keys = await em.findBy(VendingKey, { id: In(ids) });
    return new Map(keys.map((k) => [k.id, { sgc: k.sgc, krn: k.krn }]));
  }

  private holdable(em: EntityManager, sgc: string, krn: number): Promise<VendingKey | null> {
    return em.findOneBy(VendingKey, { sgc, krn, state: In([...HOLDABLE]) });
  }
}
