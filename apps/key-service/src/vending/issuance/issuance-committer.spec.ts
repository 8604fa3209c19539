import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import { ErrorCode } from '../../common/error-codes';
import { VendingSchema1732600000000 } from '../../database/migrations/1732600000000-vending-schema';
import { TidAllocator } from '../tid-allocation/tid-allocator';
import {
  type Committed,
  IssuanceCommitter,
  type IssuanceCommitterOptions,
  isRetryableConflict,
} from './issuance-committer';

/** A transaction stand-in that records statements and which batch each item ran in. */
class FakeDb {
  readonly statements: string[] = [];
  transactions = 0;
  /** When set, the next transaction waits for it before running its work. */
  gate?: Promise<void>;

  readonly em: { query: (sql: string) => Promise<unknown> } = {
    query: (sql: string) => Promise.resolve(this.statements.push(sql)),
  };

  transaction = async <T>(work: (em: FakeDb['em']) => Promise<T>): Promise<T> => {
    this.transactions += 1;
    const gate = this.gate;
    this.gate = undefined;
    if (gate) await gate;
    this.statements.push('BEGIN');
    try {
      const result = await work(this.em);
      this.statements.push('COMMIT');
      return result;
    } catch (error) {
      this.statements.push('ROLLBACK');
      throw error;
    }
  };
}

interface Item {
  readonly name: string;
  readonly key?: string;
  readonly fail?: Error;
}

function committer(
  db: FakeDb,
  extra: Partial<IssuanceCommitterOptions<FakeDb['em'], Item, string>> = {},
) {
  const ran: string[][] = [];
  const after: string[][] = [];
  const c = new IssuanceCommitter<FakeDb['em'], Item, string>({
    transaction: db.transaction,
    item: (_em, input) => {
      (ran[db.transactions - 1] ??= []).push(input.name);
      db.statements.push(`work ${input.name}`);
      if (input.fail !== undefined) return Promise.reject(input.fail);
      return Promise.resolve(`done ${input.name}`);
    },
    afterItems: (_em, done: readonly Committed<Item, string>[]) => {
      after.push(done.map((d) => d.value));
      db.statements.push('after');
      return Promise.resolve();
    },
    maxBatch: 64,
    ...extra,
  });
  return { c, ran, after };
}

async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

describe('IssuanceCommitter', () => {
  it('runs everything submitted in one tick as one transaction and answers each caller', async () => {
    const db = new FakeDb();
    const { c, after } = committer(db);
    const results = await Promise.all(['a', 'b', 'c'].map((name) => c.submit({ name })));
    expect(results).toEqual(['done a', 'done b', 'done c']);
    expect(db.transactions).toBe(1);
    expect(after).toEqual([['done a', 'done b', 'done c']]);
    expect(db.statements).toEqual([
      'BEGIN',
      'SAVEPOINT vending_item',
      'work a',
      'RELEASE SAVEPOINT vending_item',
      'SAVEPOINT vending_item',
      'work b',
      'RELEASE SAVEPOINT vending_item',
      'SAVEPOINT vending_item',
      'work c',
      'after',
      'COMMIT',
    ]);
  });

  it('releases and opens savepoints in one statement when chaining is on', async () => {
    const db = new FakeDb();
    const { c } = committer(db, { chainSavepoints: true });
    await Promise.all(['a', 'b'].map((name) => c.submit({ name })));
    expect(db.statements).toEqual([
      'BEGIN',
      'SAVEPOINT vending_item',
      'work a',
      'RELEASE SAVEPOINT vending_item; SAVEPOINT vending_item',
      'work b',
      'after',
      'COMMIT',
    ]);
  });

  it('lets the next batch accumulate while one commits, and bounds the batch size', async () => {
    const db = new FakeDb();
    const { c, ran } = committer(db, { maxBatch: 3 });
    let open!: () => void;
    db.gate = new Promise<void>((resolve) => (open = resolve));
    const first = c.submit({ name: 'first' });
    await Promise.resolve(); // the first batch has started and waits at the gate
    await Promise.resolve();
    const later = ['l1', 'l2', 'l3', 'l4', 'l5'].map((name) => c.submit({ name }));
    expect(c.pending).toBe(5);
    open();
    await Promise.all([first, ...later]);
    expect(ran).toEqual([['first'], ['l1', 'l2', 'l3'], ['l4', 'l5']]);
  });

  it('rolls back a failing item to its savepoint and rejects only its caller, with its own error', async () => {
    const db = new FakeDb();
    const { c, after } = committer(db);
    const refusal = Object.assign(new Error('window'), {
      code: ErrorCode.STS_TID_WINDOW_EXHAUSTED,
    });
    const outcomes = await Promise.all([
      settle(c.submit({ name: 'ok1' })),
      settle(c.submit({ name: 'bad', fail: refusal })),
      settle(c.submit({ name: 'ok2' })),
    ]);
    expect(outcomes[0].value).toBe('done ok1');
    expect(outcomes[1].error).toBe(refusal);
    expect(outcomes[2].value).toBe('done ok2');
    expect(after).toEqual([['done ok1', 'done ok2']]);
    const bad = db.statements.indexOf('work bad');
    expect(db.statements.slice(bad - 1, bad + 4)).toEqual([
      'SAVEPOINT vending_item',
      'work bad',
      'ROLLBACK TO SAVEPOINT vending_item',
      'RELEASE SAVEPOINT vending_item',
      'SAVEPOINT vending_item',
    ]);
    expect(db.statements.at(-1)).toBe('COMMIT');
  });

  it('runs items in lock order, keeping submission order among equal keys', async () => {
    const db = new FakeDb();
    const { c, ran, after } = committer(db, { lockOrder: (i) => i.key ?? '' });
    const names: Item[] = [
      { name: 'm2-first', key: 'k|m2' },
      { name: 'm1-first', key: 'k|m1' },
      { name: 'm2-second', key: 'k|m2' },
      { name: 'none' },
      { name: 'm1-second', key: 'k|m1' },
    ];
    const results = await Promise.all(names.map((n) => c.submit(n)));
    expect(results).toEqual(names.map((n) => `done ${n.name}`));
    expect(ran[0]).toEqual(['none', 'm1-first', 'm1-second', 'm2-first', 'm2-second']);
    // The batch's after-step sees the successful items in submission order.
    expect(after[0]).toEqual(names.map((n) => `done ${n.name}`));
  });

  it('rejects every caller of a batch that fails as a whole, and goes on with the next', async () => {
    const db = new FakeDb();
    const outage = new Error('database gone');
    let failAfter = true;
    const { c } = committer(db, {
      afterItems: () => (failAfter ? Promise.reject(outage) : Promise.resolve()),
    });
    const outcomes = await Promise.all([
      settle(c.submit({ name: 'a' })),
      settle(c.submit({ name: 'b', fail: new Error('own') })),
    ]);
    expect(outcomes.map((o) => o.error)).toEqual([outage, outage]);
    expect(db.statements.at(-1)).toBe('ROLLBACK');
    failAfter = false;
    expect(await c.submit({ name: 'c' })).toBe('done c');
  });

  it('fails the batch when a savepoint statement itself fails', async () => {
    const db = new FakeDb();
    const gone = new Error('connection lost');
    db.em.query = (sql: string) =>
      sql.startsWith('ROLLBACK TO') ? Promise.reject(gone) : Promise.resolve();
    const { c } = committer(db);
    const outcomes = await Promise.all([
      settle(c.submit({ name: 'a' })),
      settle(c.submit({ name: 'b', fail: new Error('own') })),
    ]);
    expect(outcomes.map((o) => o.error)).toEqual([gone, gone]);
  });

  it('tries an item again in the next batch when its error is retryable, up to the limit', async () => {
    const db = new FakeDb();
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let failures = 1;
    const c = new IssuanceCommitter<FakeDb['em'], Item, string>({
      transaction: db.transaction,
      item: (_em, input) =>
        input.name === 'flaky' && failures-- > 0
          ? Promise.reject(deadlock)
          : Promise.resolve(`done ${input.name}`),
      retryable: isRetryableConflict,
      maxBatch: 64,
      maxAttempts: 2,
    });
    expect(await Promise.all([c.submit({ name: 'flaky' }), c.submit({ name: 'x' })])).toEqual([
      'done flaky',
      'done x',
    ]);
    expect(db.transactions).toBe(2);
    failures = 5;
    expect((await settle(c.submit({ name: 'flaky' }))).error).toBe(deadlock);
  });

  it('skips the savepoint for items that write nothing', async () => {
    const db = new FakeDb();
    const { c } = committer(db, { savepoint: (i) => i.name !== 'event' });
    await Promise.all([c.submit({ name: 'event' }), c.submit({ name: 'write' })]);
    expect(db.statements.filter((s) => s.startsWith('SAVEPOINT'))).toHaveLength(1);
  });

  describe('gathering while items arrive concurrently', () => {
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('lets a lone item go at once, and holds the batch after a concurrent one', async () => {
      const db = new FakeDb();
      const { c, ran } = committer(db, { gatherMs: 60 });
      expect(await c.submit({ name: 'a' })).toBe('done a'); // lone: no wait
      await Promise.all([c.submit({ name: 'b' }), c.submit({ name: 'c' })]);
      // The last batch held two: the next one waits for company, up to gatherMs.
      const d = c.submit({ name: 'd' });
      await later(20);
      const e = c.submit({ name: 'e' });
      expect(await Promise.all([d, e])).toEqual(['done d', 'done e']);
      expect(ran).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
    });

    it('waits no longer than gatherMs', async () => {
      const db = new FakeDb();
      const { c, ran } = committer(db, { gatherMs: 30 });
      await Promise.all([c.submit({ name: 'a' }), c.submit({ name: 'b' })]);
      const started = Date.now();
      expect(await c.submit({ name: 'c' })).toBe('done c');
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
      expect(ran).toEqual([['a', 'b'], ['c']]);
    });

    it('starts a full batch without waiting', async () => {
      const db = new FakeDb();
      // A wait would outlast the test's timeout.
      const { c, ran } = committer(db, { gatherMs: 60_000, maxBatch: 2 });
      await Promise.all(['a', 'b'].map((name) => c.submit({ name })));
      await Promise.all(['c', 'd'].map((name) => c.submit({ name })));
      expect(ran).toEqual([
        ['a', 'b'],
        ['c', 'd'],
      ]);
    });
  });

  describe('optimistic', () => {
    it('commits a batch without savepoints when every item succeeds', async () => {
      const db = new FakeDb();
      const { c, after } = committer(db, { optimistic: true });
      expect(await Promise.all(['a', 'b'].map((name) => c.submit({ name })))).toEqual([
        'done a',
        'done b',
      ]);
      expect(db.statements).toEqual(['BEGIN', 'work a', 'work b', 'after', 'COMMIT']);
      expect(after).toEqual([['done a', 'done b']]);
    });

    it('rolls the attempt back when an item fails and runs the batch again isolated', async () => {
      const db = new FakeDb();
      const { c, after } = committer(db, { optimistic: true });
      const own = new Error('own');
      const outcomes = await Promise.all([
        settle(c.submit({ name: 'a' })),
        settle(c.submit({ name: 'bad', fail: own })),
        settle(c.submit({ name: 'b' })),
      ]);
      expect(outcomes.map((o) => o.value ?? o.error)).toEqual(['done a', own, 'done b']);
      expect(db.transactions).toBe(2);
      expect(db.statements.slice(0, 4)).toEqual(['BEGIN', 'work a', 'work bad', 'ROLLBACK']);
      expect(db.statements.slice(4)).toContain('ROLLBACK TO SAVEPOINT vending_item');
      expect(db.statements.at(-1)).toBe('COMMIT');
      // Only the committed attempt's after-step counts.
      expect(after).toEqual([['done a', 'done b']]);
    });

    it('hands the whole batch to runAll in lock order and maps the answers back', async () => {
      const db = new FakeDb();
      const seen: string[][] = [];
      const { c } = committer(db, {
        optimistic: true,
        lockOrder: (i) => i.key ?? '',
        runAll: (_em, inputs) => {
          seen.push(inputs.map((i) => i.name));
          return Promise.resolve(inputs.map((i) => `all ${i.name}`));
        },
      });
      const results = await Promise.all([
        c.submit({ name: 'b', key: '2' }),
        c.submit({ name: 'a', key: '1' }),
      ]);
      expect(results).toEqual(['all b', 'all a']);
      expect(seen).toEqual([['a', 'b']]);
    });

    it('answers a lone failing item with its own error without a second attempt', async () => {
      const db = new FakeDb();
      const { c } = committer(db, { optimistic: true });
      const own = new Error('own');
      expect((await settle(c.submit({ name: 'bad', fail: own }))).error).toBe(own);
      expect(db.transactions).toBe(1);
      expect(db.statements).toEqual(['BEGIN', 'work bad', 'ROLLBACK']);
    });
  });

  it('recognises PostgreSQL deadlocks and serialization failures, also wrapped', () => {
    expect(isRetryableConflict({ code: '40P01' })).toBe(true);
    expect(isRetryableConflict({ driverError: { code: '40001' } })).toBe(true);
    expect(isRetryableConflict({ code: '23505' })).toBe(false);
    expect(isRetryableConflict(null)).toBe(false);
  });
});

describe('IssuanceCommitter on SQLite (real savepoints)', () => {
  const AT = '2025-01-01T00:00:00.000Z';
  let dir: string;
  let ds: DataSource;
  const tids = new TidAllocator(2);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sts-committer-'));
    ds = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'committer.sqlite'),
      migrations: [VendingSchema1732600000000],
    });
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['isolated', false, '00000000018', '00000000026'],
    ['optimistic', true, '00000000034', '00000000042'],
  ])(
    '%s: keeps the TIDs of the items that succeeded and rolls back those of the refused one',
    async (_mode, optimistic, drn, other) => {
      const c = new IssuanceCommitter<EntityManager, { drn: string; failAfter?: boolean }, number>({
        transaction: (work) => ds.transaction(work),
        item: async (em, input) => {
          const tid = await tids.allocate(em, { iin: '600727', drn: input.drn }, 'k1', 1000, AT);
          if (input.failAfter) throw new Error('token could not be built');
          return tid;
        },
        maxBatch: 64,
        optimistic,
      });
      const outcomes = await Promise.all([
        settle(c.submit({ drn })),
        settle(c.submit({ drn, failAfter: true })),
        settle(c.submit({ drn })),
        settle(c.submit({ drn })), // past the window of 2
        settle(c.submit({ drn: other })),
      ]);
      expect(outcomes[0].value).toBe(1000);
      expect((outcomes[1].error as Error).message).toBe('token could not be built');
      expect(outcomes[2].value).toBe(1001);
      expect(outcomes[3].error).toMatchObject({ code: ErrorCode.STS_TID_WINDOW_EXHAUSTED });
      expect(outcomes[4].value).toBe(1000);
      const rows = await ds.query<{ drn: string; last_tid: number }[]>(
        'SELECT drn, last_tid FROM vending_tid_allocations WHERE drn IN (?, ?) ORDER BY drn',
        [drn, other],
      );
      expect(rows.map((r) => [r.drn, Number(r.last_tid)])).toEqual([
        [drn, 1001],
        [other, 1000],
      ]);
    },
  );
});
