/**
 * TransactionRunner.runPipelined: on PostgreSQL a pipelined transaction (BEGIN and the writes
 * sent with sendPrepared are not waited for; COMMIT fails with their errors), on SQLite an
 * ordinary one. Either way everything commits together or nothing does.
 */
import { Socket } from 'node:net';
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { isUniqueViolation } from '../common/domain-error';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { queryPrepared, sendPrepared } from './prepared-query';
import { TransactionRunner } from './transaction-runner';

jest.setTimeout(60_000);

const AT = '2026-12-02T10:00:00.000Z';

forEachDatabase('runPipelined', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'pipelined', { migrate: true });
  const mark = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
  const insert = `INSERT INTO things (id, name) VALUES (${mark(1)}, ${mark(2)})`;
  let tx: TransactionRunner;

  beforeAll(async () => {
    await db.ds.query('CREATE TABLE things (id integer PRIMARY KEY, name varchar(20) NOT NULL)');
    tx = new TransactionRunner(db.ds);
  });

  const names = async () =>
    (await db.ds.query<{ name: string }[]>('SELECT name FROM things ORDER BY id')).map(
      (r) => r.name,
    );
  const failure = (attempt: Promise<unknown>) =>
    attempt.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('reads, then writes without waiting, and commits both', async () => {
    // Every socket write of the process goes through one of these (nothing else runs meanwhile).
    const socket = Socket.prototype as unknown as Record<'_write' | '_writev', () => void>;
    const writes = jest.spyOn(socket, '_writev');
    const single = jest.spyOn(socket, '_write');
    try {
      const read = await tx.runPipelined(async (em) => {
        const rows = await queryPrepared<{ n: number | string }>(
          em,
          'SELECT COUNT(*) AS n FROM things',
        );
        await sendPrepared(em, insert, [1, 'one']);
        await sendPrepared(em, insert, [2, 'two']);
        return Number(rows[0].n);
      });
      expect(read).toBe(0);
      if (kind === 'postgres') {
        // BEGIN with the read, then both writes with the COMMIT.
        expect(writes.mock.calls.length + single.mock.calls.length).toBe(2);
      }
    } finally {
      writes.mockRestore();
      single.mockRestore();
    }
    expect(await names()).toEqual(['one', 'two']);
  });

  it("rejects with the driver's error of a write it did not wait for, and stores nothing", async () => {
    const error = await failure(
      tx.runPipelined(async (em) => {
        await sendPrepared(em, insert, [3, 'three']);
        await sendPrepared(em, insert, [1, 'again']);
      }),
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(await names()).toEqual(['one', 'two']);
  });

  it('fails when a statement failed, even one whose error the work caught (PostgreSQL)', async () => {
    const error = await failure(
      tx.runPipelined(async (em) => {
        await queryPrepared(em, insert, [1, 'duplicate']).catch(() => undefined);
        await sendPrepared(em, insert, [4, 'four']);
      }),
    );
    if (kind === 'postgres') {
      expect(error).toBeDefined();
      expect(await names()).toEqual(['one', 'two']);
    } else {
      // SQLite undoes the failed statement alone and the transaction goes on.
      expect(error).toBeUndefined();
      expect(await names()).toEqual(['one', 'two', 'four']);
      await db.ds.query('DELETE FROM things WHERE id = 4');
    }
  });

  it('rolls back when the work throws, entity saves made in it included', async () => {
    const error = await failure(
      tx.runPipelined(async (em) => {
        await em.save(
          em.create(SupplyGroup, {
            id: 'sg-pipelined',
            sgc: '600999',
            name: 'Pipelined',
            cluster: null,
            state: 'active',
            pendingRevisionId: null,
            createdAt: AT,
            updatedAt: AT,
          }),
        );
        await sendPrepared(em, insert, [5, 'five']);
        throw new Error('refused');
      }),
    );
    expect((error as Error).message).toBe('refused');
    expect(await names()).toEqual(['one', 'two']);
    expect(await db.ds.manager.countBy(SupplyGroup, { id: 'sg-pipelined' })).toBe(0);
  });

  it('leaves its connections usable: many transactions at once, all committed', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        tx.runPipelined(async (em) => {
          await queryPrepared(em, 'SELECT 1 AS one');
          await sendPrepared(em, insert, [100 + i, `n${i}`]);
        }),
      ),
    );
    const [{ n }] = await db.ds.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM things WHERE id >= 100',
    );
    expect(Number(n)).toBe(30);
  });
});
