import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { type BulkColumn, dialectOf } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { effectiveKeyState } from '../vending/rules/sts-rules';
import { VendingKey } from '../vending-keys/vending-key.entity';
import { dueKeyChange, type DueKeyChange } from './key-change-due';
import { MeterKeyRecord } from './meter-key.entity';
import { MeterKeyReads } from './meter-key-reads';
import { type HeldKey, keyChangeIssued, type MeterKeyFields } from './meter-key-transitions';
import { HOLDABLE } from './meter-keys.service';

const METER_COLUMNS: readonly BulkColumn[] = [
  { name: 'iin', type: 'text' },
  { name: 'drn', type: 'text' },
];

/** Every column of a registry row, with the entity property it holds. */
const RECORD_COLUMNS: readonly (BulkColumn & { readonly property: string })[] = [
  { name: 'iin', type: 'text', property: 'iin' },
  { name: 'drn', type: 'text', property: 'drn' },
  { name: 'sgc', type: 'text', property: 'sgc' },
  { name: 'krn', type: 'integer', property: 'krn' },
  { name: 'tariff_index', type: 'text', property: 'tariffIndex' },
  { name: 'key_type', type: 'integer', property: 'keyType' },
  { name: 'ea', type: 'text', property: 'ea' },
  { name: 'base_date', type: 'integer', property: 'baseDate' },
  { name: 'vending_key_id', type: 'text', property: 'vendingKeyId' },
  { name: 'source', type: 'text', property: 'source' },
  { name: 'source_id', type: 'text', property: 'sourceId' },
  { name: 'recorded_by', type: 'text', property: 'recordedBy' },
  { name: 'updated_at', type: 'text', property: 'updatedAt' },
  { name: 'change_id', type: 'text', property: 'changeId' },
  { name: 'change_state', type: 'text', property: 'changeState' },
  { name: 'change_from_key_id', type: 'text', property: 'changeFromKeyId' },
  { name: 'change_from_ti', type: 'text', property: 'changeFromTi' },
  { name: 'change_to_key_id', type: 'text', property: 'changeToKeyId' },
  { name: 'change_to_ti', type: 'text', property: 'changeToTi' },
];

/** The columns that differ between the rows a campaign's chunk moves. */
const PER_METER = new Set(['iin', 'drn', 'ea']);
const MOVED_METER_COLUMNS: readonly BulkColumn[] = [
  { name: 'iin', type: 'text' },
  { name: 'drn', type: 'text' },
  { name: 'ea', type: 'text' },
];

/** What a purchase needs of a meter's registry row besides its key. */
export type PurchaseRow = Pick<
  MeterKeyRecord,
  'vendingKeyId' | 'changeId' | 'changeState' | 'changeToKeyId' | 'changeToTi'
>;

/** A meter and the key it holds, as vending requests state it. */
export interface HeldMeterKey {
  readonly iin: string;
  readonly drn: string;
  readonly sgc: string;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly ea: '07' | '09' | '11';
}

/**
 * The registry as issuance meets it: the key a purchase is made under and the key change due
 * for it, and the rows that vending and campaigns move in the transactions that issue the sets.
 */
@Injectable()
export class MeterKeyMoves {
  /** Registry reads of purchases, batched. */
  private readonly reads: MeterKeyReads;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {
    this.reads = new MeterKeyReads((work) => this.tx.read(work));
  }

  /**
   * The key a purchase is made under with `keyChange: "auto"`: the registry's row for the meter
   * when it has one (the meter's IIN and DRN as stated), else the key the request states. The
   * rows of purchases that arrive together are read in one statement.
   */
  async keyForPurchase(
    stated: HeldMeterKey,
  ): Promise<{ held: HeldMeterKey; row: PurchaseRow | null }> {
    const r = await this.reads.row(stated.iin, stated.drn);
    if (!r) return { held: stated, row: null };
    return {
      held: {
        iin: stated.iin,
        drn: stated.drn,
        sgc: r.sgc,
        krn: Number(r.krn),
        tariffIndex: r.tariff_index,
        ea: r.ea as HeldMeterKey['ea'],
      },
      row: {
        vendingKeyId: r.vending_key_id,
        changeId: r.change_id,
        changeState: r.change_state,
        changeToKeyId: r.change_to_key_id,
        changeToTi: r.change_to_ti,
      },
    };
  }

  /**
   * The key change due for a meter on `key` (with its registry row, if any) at a purchase. Only a
   * superseded key or a refused set can make one due, so for every other purchase nothing more
   * is read.
   */
  async dueAtPurchase(
    key: VendingKey,
    held: HeldMeterKey,
    row: PurchaseRow | null,
  ): Promise<DueKeyChange | null> {
    const now = this.clock.nowIso();
    const refused = row?.changeState === 'refused' && row.vendingKeyId === key.id ? row : null;
    if (effectiveKeyState(key, now) !== 'superseded' && !refused) return null;
    const revisions = await this.tx.read((em) =>
      em.findBy(VendingKey, { supplyGroupId: key.supplyGroupId, state: In([...HOLDABLE]) }),
    );
    const refusedTo = refused
      ? (revisions.find((r) => r.id === refused.changeToKeyId) ??
        (await this.tx.read((em) => em.findOneBy(VendingKey, { id: refused.changeToKeyId ?? '' }))))
      : null;
    return dueKeyChange(
      {
        key,
        tariffIndex: held.tariffIndex,
        ea: held.ea,
        refusedChange:
          refused && refusedTo && refused.changeId
            ? {
                changeId: refused.changeId,
                to: refusedTo,
                tariffIndex: refused.changeToTi ?? held.tariffIndex,
              }
            : null,
      },
      revisions,
      now,
    );
  }

  /**
   * Inside the transaction that issues a key-change set (`changeId`: the issuance or campaign
   * holding it): the meter's row moves to the new key, the set open until the meter is seen on
   * either key.
   */
  async recordKeyChange(
    em: EntityManager,
    change: {
      readonly meter: { readonly iin: string; readonly drn: string };
      readonly from: HeldKey;
      readonly to: HeldKey;
      readonly ea: string;
      readonly changeId: string;
      readonly source: 'key-change' | 'campaign';
      readonly recordedBy: string;
      readonly at: string;
    },
  ): Promise<void> {
    const next = keyChangeIssued(change.from, change.to, {
      ea: change.ea,
      source: change.source,
      sourceId: change.changeId,
      recordedBy: change.recordedBy,
      at: change.at,
    });
    await em.save(em.create(MeterKeyRecord, { ...change.meter, ...next }));
  }

  /**
   * Of `meters`, those the registry places on `to` with tariff index `ti` already (moved by a
   * purchase, the key-change route or an earlier run): a campaign does not move them again.
   */
  async onKey(
    em: EntityManager,
    meters: readonly { readonly iin: string; readonly drn: string }[],
    to: string,
    ti: string,
  ): Promise<Set<string>> {
    if (meters.length === 0) return new Set();
    const d = dialectOf(em);
    const source = d.rowSource(
      METER_COLUMNS,
      meters.map((m) => [m.iin, m.drn]),
      3,
    );
    const rows = await em.query<{ iin: string; drn: string }[]>(
      `SELECT iin, drn FROM meter_keys WHERE vending_key_id = ${d.param(1)} ` +
        `AND tariff_index = ${d.param(2)} AND (iin, drn) IN (${source.sql})`,
      [to, ti, ...source.params],
    );
    return new Set(rows.map((r) => `${r.iin}|${r.drn}`));
  }

  /**
   * Inside the transaction that commits a campaign's sets for `meters`: their rows move to the
   * new key, each set open (`issued`) under the campaign's id, in one statement per database
   * limit.
   */
  async recordCampaignMoves(
    em: EntityManager,
    change: {
      readonly meters: readonly {
        readonly iin: string;
        readonly drn: string;
        readonly ea: string;
      }[];
      readonly from: HeldKey;
      readonly to: HeldKey;
      readonly campaignId: string;
      readonly recordedBy: string;
      readonly at: string;
    },
  ): Promise<void> {
    if (change.meters.length === 0) return;
    const d = dialectOf(em);
    // Every row of a campaign's chunk is the same but for the meter and its EA: those travel as
    // rows, the rest once as parameters.
    const same = keyChangeIssued(change.from, change.to, {
      ea: '',
      source: 'campaign',
      sourceId: change.campaignId,
      recordedBy: change.recordedBy,
      at: change.at,
    });
    const shared = RECORD_COLUMNS.filter((c) => !PER_METER.has(c.name));
    // As many rows as whole registry rows would fit: the shared parameters never push it over.
    const step = d.rowsPerStatement(RECORD_COLUMNS);
    for (let i = 0; i < change.meters.length; i += step) {
      const source = d.rowSource(
        MOVED_METER_COLUMNS,
        change.meters.slice(i, i + step).map((m) => [m.iin, m.drn, m.ea]),
      );
      const first = d.name === 'postgres' ? MOVED_METER_COLUMNS.length + 1 : 1;
      const values = RECORD_COLUMNS.map((c) =>
        PER_METER.has(c.name) ? `m.${c.name}` : d.param(first + shared.indexOf(c), c.type),
      );
      await em.query(
        `WITH m (iin, drn, ea) AS (${source.sql}) ` +
          `INSERT INTO meter_keys (${RECORD_COLUMNS.map((c) => c.name).join(', ')}) ` +
          `SELECT ${values.join(', ')} FROM m WHERE true ` +
          `ON CONFLICT (iin, drn) DO UPDATE SET ${RECORD_COLUMNS.filter(
            (c) => c.name !== 'iin' && c.name !== 'drn',
          )
            .map((c) => `${c.name} = excluded.${c.name}`)
            .join(', ')}`,
        [...source.params, ...shared.map((c) => same[c.property as keyof MeterKeyFields])],
      );
    }
  }
}
