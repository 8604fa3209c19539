import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { eventHash } from '../../apps/key-service/src/audit/audit-chain';
import { verifyExportFile } from '../../apps/key-service/src/audit/audit-chain';
import { AuditService, SYSTEM_ACTOR } from '../../apps/key-service/src/audit/audit.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { type CustodyMode, toggleCustody } from '../helpers/toggle-custody';
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

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'apps', 'key-service', 'dist', 'cli.js');

/** Runs the built `verify-audit` command as an auditor would, in a child process. */
function verifyAuditCli(pemFile: string, exportFile: string) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  const run = spawnSync(
    process.execPath,
    [CLI, 'verify-audit', '--public-key', pemFile, exportFile],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return {
    status: run.status,
    result: JSON.parse(run.stdout) as {
      ok: boolean;
      firstBroken?: { seq: number; reason: string };
    },
    stderr: run.stderr,
  };
}

forEachDatabase('auditor workflow', (database) => {
  let svc: TestService;
  let cast: Cast;
  let db: DataSource;
  let setCustody: (mode: CustodyMode) => void;
  const dir = mkdtempSync(join(tmpdir(), 'sts-audit-export-'));

  const verify = async () =>
    expectStatus(
      await svc.http.get('/api/v1/audit/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as {
      ok: boolean;
      eventsChecked: number;
      lastSeq: number;
      lastSignedSeq: number;
      firstBroken?: {
        seq: number;
        reason: string;
        message: string;
        expectedLastSeq?: number;
        foundLastSeq?: number;
      };
    };
  const headSeq = async () =>
    Number((await db.query<{ seq: number }[]>('SELECT seq FROM audit_head WHERE id = 1'))[0].seq);
  const lastCheckpointSeq = async () =>
    Number(
      (await db.query<{ m: number | null }[]>('SELECT MAX(seq) AS m FROM audit_checkpoints'))[0]
        .m ?? 0,
    );
  const appendEvents = (n: number, tag: string) =>
    svc.app.get(AuditService).recordDurably(
      ...Array.from({ length: n }, (_, i) => ({
        actor: SYSTEM_ACTOR,
        action: 'test.append',
        subjectType: 'test',
        subjectId: `${tag}-${i}`,
      })),
    );
  const row = async (seq: number): Promise<EventRow> =>
    (await db.query<EventRow[]>(`SELECT * FROM audit_events WHERE seq = ${seq}`))[0];
  /** The export as an auditor downloads it, and its content type. */
  const downloadExport = async (): Promise<{ text: string; contentType: string }> => {
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
    return { text: res.body as string, contentType: String(res.headers['content-type']) };
  };
  /** The audit public key, written where `verify-audit` reads it; returns the PEM and the file. */
  const savePublicKey = async (): Promise<{ pem: string; pemFile: string }> => {
    const pem = expectStatus(
      await svc.http.get('/api/v1/audit/public-key').set(...auth(cast.auditor.key)),
      200,
    ).body.publicKeyPem as string;
    const pemFile = join(dir, `audit-${database}.pem`);
    writeFileSync(pemFile, pem);
    return { pem, pemFile };
  };
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
    svc = await startService({
      database,
      checkpointEvery: 10,
      custody: (inner) => {
        const t = toggleCustody(inner);
        setCustody = t.set;
        return t.custody;
      },
    });
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

  it('names the newest events deleted after the last checkpoint (the audit head says more)', async () => {
    const audit = svc.app.get(AuditService);
    // Three unsigned events: reach a checkpoint boundary (every 10) first, sign it, then append
    // three, which cross no boundary and so stay after the last checkpoint.
    const s0 = await headSeq();
    if (s0 % 10 > 6) await appendEvents(10 - (s0 % 10), 'pad');
    await new Promise((r) => setImmediate(r));
    await audit.checkpointNow();
    await appendEvents(3, 'newest');
    const last = await headSeq();
    expect(await lastCheckpointSeq()).toBeLessThanOrEqual(last - 3);
    expect(await verify()).toMatchObject({ ok: true, lastSeq: last });

    const originals = [await row(last - 2), await row(last - 1), await row(last)];
    await db.query(`DELETE FROM audit_events WHERE seq > ${last - 3}`);
    const result = await verify();
    expect(result).toMatchObject({
      ok: false,
      lastSeq: last - 3,
      firstBroken: {
        seq: last - 2,
        reason: 'EVENTS_MISSING_AFTER_LAST',
        expectedLastSeq: last,
        foundLastSeq: last - 3,
      },
    });
    expect(result.firstBroken?.message).toContain(`the audit head ends the chain at ${last}`);
    for (const r of originals) await put(r);
    expect((await verify()).ok).toBe(true);
  });

  it('names an event written beyond the audit head', async () => {
    const last = await headSeq();
    const prev = await row(last);
    const fields = {
      seq: last + 1,
      at: prev.at as string,
      actorId: 'system',
      actorName: 'system',
      action: 'test.forged',
      subjectType: 'test',
      subjectId: 'forged',
      outcome: 'success',
      requestId: 'forged',
      details: '{}',
    };
    const hash = eventHash(prev.hash as string, fields);
    await put({
      seq: fields.seq,
      at: fields.at,
      actor_id: fields.actorId,
      actor_name: fields.actorName,
      action: fields.action,
      subject_type: fields.subjectType,
      subject_id: fields.subjectId,
      outcome: fields.outcome,
      request_id: fields.requestId,
      details: fields.details,
      prev_hash: prev.hash,
      hash,
    });
    expect((await verify()).firstBroken).toMatchObject({
      seq: last + 1,
      reason: 'EVENTS_BEYOND_HEAD',
      expectedLastSeq: last,
      foundLastSeq: last + 1,
    });
    await db.query(`DELETE FROM audit_events WHERE seq = ${last + 1}`);
    expect((await verify()).ok).toBe(true);
  });

  it('exports JSON Lines that verify offline with only the public key, and names tampering', async () => {
    const exported = await downloadExport();
    expect(exported.contentType).toContain('application/x-ndjson');
    const file = join(dir, `export-${database}.jsonl`);
    writeFileSync(file, exported.text);
    const { pem, pemFile } = await savePublicKey();
    const ok = await verifyExportFile(file, pem);
    expect(ok).toMatchObject({ ok: true, exportedAt: expect.any(String) });
    expect(ok.lastSeq).toBe(await headSeq());
    expect(ok.lastSignedSeq).toBe(ok.lastSeq);
    const cli = verifyAuditCli(pemFile, file);
    expect(cli).toMatchObject({ status: 0, result: { ok: true, lastSeq: ok.lastSeq } });
    expect(cli.stderr).toContain('audit export intact');

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

  it('names a truncated export offline: the last events, the checkpoints or the trailer gone', async () => {
    const { text } = await downloadExport();
    const { pem, pemFile } = await savePublicKey();
    const lines = text.trimEnd().split('\n');
    const typeOf = (l: string) => (JSON.parse(l) as { type: string }).type;
    const seqOf = (l: string) => (JSON.parse(l) as { seq: number }).seq;
    const last = Math.max(...lines.filter((l) => typeOf(l) === 'event').map(seqOf));
    const verifyLines = async (name: string, kept: string[]) => {
      const f = join(dir, `${name}-${database}.jsonl`);
      writeFileSync(f, kept.join('\n') + '\n');
      return { file: f, result: await verifyExportFile(f, pem) };
    };

    const untouched = await verifyLines('untouched', lines);
    expect(untouched.result).toMatchObject({ ok: true, lastSeq: last, lastSignedSeq: last });

    // The newest 3 events dropped, the rest of the file (checkpoints, trailer) kept.
    const dropped = await verifyLines(
      'dropped',
      lines.filter((l) => !(typeOf(l) === 'event' && seqOf(l) > last - 3)),
    );
    expect(dropped.result.firstBroken).toMatchObject({
      seq: last - 2,
      reason: 'EVENTS_MISSING_AFTER_LAST',
      expectedLastSeq: last,
      foundLastSeq: last - 3,
    });

    // The file cut off after event last-3: the last events, the final checkpoint and the trailer.
    const cutAt = lines.findIndex((l) => typeOf(l) === 'event' && seqOf(l) === last - 3);
    const cut = await verifyLines('cut', lines.slice(0, cutAt + 1));
    expect(cut.result).toMatchObject({ ok: false, lastSeq: last - 3 });
    expect(cut.result.firstBroken).toMatchObject({ reason: 'EXPORT_TRAILER_MISSING' });

    const stripped = await verifyLines(
      'stripped',
      lines.filter((l) => typeOf(l) !== 'checkpoint'),
    );
    expect(stripped.result).toMatchObject({ ok: false, lastSignedSeq: 0 });
    expect(stripped.result.firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINTS_MISSING' });

    const noTrailer = await verifyLines(
      'no-trailer',
      lines.filter((l) => typeOf(l) !== 'trailer'),
    );
    expect(noTrailer.result.firstBroken).toMatchObject({
      seq: last + 1,
      reason: 'EXPORT_TRAILER_MISSING',
    });

    // The auditor's command: exit 1, the reason in the JSON and on stderr.
    for (const [tampered, reason] of [
      [cut, 'EXPORT_TRAILER_MISSING'],
      [stripped, 'CHECKPOINTS_MISSING'],
    ] as const) {
      const cli = verifyAuditCli(pemFile, tampered.file);
      expect(cli).toMatchObject({ status: 1, result: { ok: false, firstBroken: { reason } } });
      expect(cli.stderr).toContain(`audit export NOT intact: ${reason}`);
    }
  });

  it('refuses an export it cannot sign (token down) instead of streaming an unproven one', async () => {
    await appendEvents(1, 'unsigned');
    setCustody('down');
    try {
      const res = await svc.http.get('/api/v1/audit/export').set(...auth(cast.auditor.key));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'HSM_UNAVAILABLE' });
    } finally {
      setCustody('up');
    }
    expect((await svc.http.get('/api/v1/audit/export').set(...auth(cast.auditor.key))).status).toBe(
      200,
    );
  });

  it('cannot change anything', async () => {
    const res = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.auditor.key))
      .send({ sgc: '999999', name: 'x' });
    expect(res.status).toBe(403);
  });
});
