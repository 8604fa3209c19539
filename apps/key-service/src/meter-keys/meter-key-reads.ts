import type { EntityManager } from 'typeorm';
import { type BulkColumn, dialectOf } from '../database/dialect';
import type { MeterKeyRecord } from './meter-key.entity';

/** The columns a purchase reads of a meter's registry row. */
export interface PurchaseRowRaw {
  readonly iin: string;
  readonly drn: string;
  readonly sgc: string;
  readonly krn: number | string;
  readonly tariff_index: string;
  readonly ea: string;
  readonly vending_key_id: string;
  readonly change_id: string | null;
  readonly change_state: MeterKeyRecord['changeState'];
  readonly change_to_key_id: string | null;
  readonly change_to_ti: string | null;
}

interface Waiter {
  readonly iin: string;
  readonly drn: string;
  readonly resolve: (row: PurchaseRowRaw | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** Most meters one read asks for. */
export const METER_KEY_READ_MAX = 256;

const METER: readonly BulkColumn[] = [
  { name: 'iin', type: 'text' },
  { name: 'drn', type: 'text' },
];

const COLUMNS =
  'iin, drn, sgc, krn, tariff_index, ea, vending_key_id, change_id, change_state, ' +
  'change_to_key_id, change_to_ti';

/**
 * Registry rows asked for in the same turn of the event loop, read in one statement (as the
 * issuing pipeline batches its writes): under load each purchase would otherwise hold a pooled
 * connection for its own read.
 */
export class MeterKeyReads {
  private pending: Waiter[] = [];
  private scheduled = false;

  constructor(private readonly read: <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>) {}

  row(iin: string, drn: string): Promise<PurchaseRowRaw | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ iin, drn, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const waiters = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (let i = 0; i < waiters.length; i += METER_KEY_READ_MAX) {
      void this.run(waiters.slice(i, i + METER_KEY_READ_MAX));
    }
  }

  private async run(waiters: readonly Waiter[]): Promise<void> {
    try {
      const rows = await this.read((em) => {
        const source = dialectOf(em).rowSource(
          METER,
          waiters.map((w) => [w.iin, w.drn]),
        );
        return em.query<PurchaseRowRaw[]>(
          `SELECT ${COLUMNS} FROM meter_keys WHERE (iin, drn) IN (${source.sql})`,
          source.params,
        );
      });
      const found = new Map(rows.map((r) => [`${r.iin}|${r.drn}`, r]));
      for (const w of waiters) w.resolve(found.get(`${w.iin}|${w.drn}`));
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  }
}
