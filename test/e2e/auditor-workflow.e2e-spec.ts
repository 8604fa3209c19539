import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { verifyExportFile } from '../../apps/key-service/src/audit/offline-verifier';
import { AuditService } from '../../apps/key-service/src/audit/audit.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  dualControl,
  expectStatus,
  itemsOf,
  loadAndActivate,
} from '../helpers/workflows';

type EventRow = Record<string, unknown> & { seq: number };

forEachDatabase('auditor workflow', (database) => {
  let svc: TestService;
  let cast: Cast;
  let db: DataSource;
  const dir = mkdtempSync(join(tmpdir(), 'sts-audit-export-'));

  const verify = async () =>
    expectStatus(
      await svc.http.get('/api/v1/audit/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as {
      ok: boolean;
      eventsChecked: number;
      lastSignedSeq: number;
      firstBroken?: { seq: number; reason: string };
    };
  const row = async (seq: number): Promise<EventRow> =>
    (await db.query<EventRow[]>(`SELECT * FROM audit_events WHERE seq = ${seq}`))[0];
  const put = async (r: EventRow) => {
    const cols = Object.keys(r);
    const values = cols.map((c) => r[c]);
    const params = cols.map((_, i) => (database === 'postgres' ? `$${i + 1}` : '?'));
    await db.query(
      `INSERT INTO audit_events (${cols.join(', ')}) VALUES (${params.join(', ')})`,
      values,
    );
  };

  beforeAll(async () => {
    svc = await startService({ database, checkpointEvery: 10 });
    db = svc.app.get(DataSource);
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    const keyId = await loadAndActivate(svc, cast, '600727');
    await dualControl(svc, cast, keyId, 'suspend');
    await svc.app.get(AuditService).checkpointNow();
  });
  afterAll(async () => svc.close());

  it('lists events with filters and cursor pagination', async () => {
    const all: number[] = [];
    let after: number | undefined = 0;
    while (after !== undefined) {
      const page = expectStatus(
        await svc.http
          .get(`/api/v1/audit/events?limit=7&after=${after}`)
          .set(...auth(cast.auditor.key)),
        200,
      );
      all.push(...itemsOf<{ seq: number }>(page).map((e) => e.seq));
      after = page.body.next as number | undefined;
    }
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    const activations = expectStatus(
      await svc.http
        .get('/api/v1/audit/events?action=vending-key.activate')
        .set(...auth(cast.auditor.key)),
      200,
    );
    expect(itemsOf(activations)).toHaveLength(1);
    expect(itemsOf(activations)[0]).toMatchObject({
      actorId: cast.officerB.id,
      outcome: 'success',
    });
    expect(itemsOf(activations)[0].requestId).toEqual(expect.any(String));
    const bad = await svc.http.get('/api/v1/audit/events?limit=0').set(...auth(cast.auditor.key));
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields[0].field).toBe('limit');
  });

  it('verifies an intact chain with signed checkpoints', async () => {
    const result = await verify();
    expect(result.ok).toBe(true);
    expect(result.firstBroken).toBeUndefined();
    expect(result.lastSignedSeq).toBe(result.eventsChecked);
    const cps = expectStatus(
      await svc.http.get('/api/v1/audit/checkpoints').set(...auth(cast.auditor.key)),
      200,
    );
    expect(itemsOf(cps).length).toBeGreaterThanOrEqual(2);
  });

  it('names a changed row', async () => {
    const original = await row(5);
    await db.query(`UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 5`);
    expect((await verify()).firstBroken).toMatchObject({ seq: 5, reason: 'HASH_MISMATCH' });
    await db.query(`DELETE FROM audit_events WHERE seq = 5`);
    await put(original);
    expect((await verify()).ok).toBe(true);
  });

  it('names a deleted row', async () => {
    const original = await row(7);
    await db.query(`DELETE FROM audit_events WHERE seq = 7`);
    expect((await verify()).firstBroken).toMatchObject({ seq: 7, reason: 'SEQUENCE_GAP' });
    await put(original);
    expect((await verify()).ok).toBe(true);
  });

  it('names two swapped rows', async () => {
    const [a, b] = [await row(3), await row(4)];
    await db.query(`DELETE FROM audit_events WHERE seq IN (3, 4)`);
    await put({ ...b, seq: 3 });
    await put({ ...a, seq: 4 });
    expect((await verify()).firstBroken).toMatchObject({ seq: 3, reason: 'PREV_HASH_MISMATCH' });
    await db.query(`DELETE FROM audit_events WHERE seq IN (3, 4)`);
    await put(a);
    await put(b);
    expect((await verify()).ok).toBe(true);
  });

  it('names a removed tail that a checkpoint covers', async () => {
    const last = Number(
      (await db.query<{ m: number }[]>('SELECT MAX(seq) AS m FROM audit_events'))[0].m,
    );
    const original = await row(last);
    await db.query(`DELETE FROM audit_events WHERE seq = ${last}`);
    expect((await verify()).firstBroken).toMatchObject({
      seq: last,
      reason: 'EVENTS_MISSING_AFTER_LAST',
    });
    await put(original);
  });

  it('exports JSON Lines that verify offline with only the public key, and names tampering', async () => {
    const res = expectStatus(
      await svc.http
        .get('/api/v1/audit/export')
        .set(...auth(cast.auditor.key))
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => cb(null, text));
        }),
      200,
    );
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const file = join(dir, `export-${database}.jsonl`);
    writeFileSync(file, res.body as string);
    const pem = expectStatus(
      await svc.http.get('/api/v1/audit/public-key').set(...auth(cast.auditor.key)),
      200,
    ).body.publicKeyPem as string;
    const ok = await verifyExportFile(file, pem);
    expect(ok).toMatchObject({ ok: true, unsignedTail: 0 });
    expect(ok.lastSignedSeq).toBe(ok.lastSeq);

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const eventAt = (seq: number) =>
      lines.findIndex(
        (l) => l.startsWith('{') && l.includes(`"seq":${seq},`) && l.includes('"type":"event"'),
      );
    const changed = [...lines];
    changed[eventAt(4)] = changed[eventAt(4)].replace('"outcome":"success"', '"outcome":"failure"');
    writeFileSync(file, changed.join('\n'));
    expect((await verifyExportFile(file, pem)).firstBroken).toMatchObject({
      seq: 4,
      reason: 'HASH_MISMATCH',
    });

    const deleted = lines.filter((_, i) => i !== eventAt(6));
    writeFileSync(file, deleted.join('\n'));
    expect((await verifyExportFile(file, pem)).firstBroken).toMatchObject({
      seq: 6,
      reason: 'SEQUENCE_GAP',
    });

    const forged = lines.map((l) =>
      l.includes('"type":"checkpoint"')
        ? l.replace(
            /"signature":"(..)/,
            (_m, h: string) => `"signature":"${h === '00' ? '01' : '00'}`,
          )
        : l,
    );
    writeFileSync(file, forged.join('\n'));
    expect((await verifyExportFile(file, pem)).firstBroken).toMatchObject({
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
  });

  it('cannot change anything', async () => {
    const res = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.auditor.key))
      .send({ sgc: '999999', name: 'x' });
    expect(res.status).toBe(403);
  });
});
