import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  type AuditEventFields,
  checkpointMessage,
  eventHash,
  GENESIS_HASH,
  type Witness,
} from '../../apps/key-service/src/audit/audit-chain';
import { AuditService, SYSTEM_ACTOR } from '../../apps/key-service/src/audit/audit.service';
import { MetricsService } from '../../apps/key-service/src/health/metrics.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { type CustodyMode, toggleCustody } from '../helpers/toggle-custody';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  itemsOf,
  loadAndActivate,
} from '../helpers/workflows';

const ROOT = join(__dirname, '..', '..');
/** The auditor's standalone command: plain Node, run straight from its folder, no build. */
const VERIFIER = join(ROOT, 'tools', 'audit-verifier', 'verify-audit.js');
/** The service's own `verify-audit` (the same code, from the built service). */
const SERVICE_CLI = join(ROOT, 'apps', 'key-service', 'dist', 'cli.js');
const EVERY = 10;
/** Tests that run the verifier as a child process (a few seconds each on a loaded machine). */
const CLI_TIMEOUT_MS = 120_000;

interface Verification {
  ok: boolean;
  lastSeq: number;
  firstBroken?: { seq: number; reason: string; message: string };
  keyFingerprint: string;
  witness?: Witness;
}

type EventRow = {
  seq: number | string;
  at: string;
  actor_id: string;
  actor_name: string;
  action: string;
  subject_type: string;
  subject_id: string;
  outcome: string;
  request_id: string;
  details: string;
};

/** Runs a `verify-audit` command as an auditor would, in a child process. */
function verifyAudit(command: 'standalone' | 'service', args: string[]) {
  const argv = command === 'standalone' ? [VERIFIER] : [SERVICE_CLI, 'verify-audit'];
  if (command === 'service' && !existsSync(SERVICE_CLI)) {
    throw new Error(`${SERVICE_CLI} is missing: run "npm run build" first`);
  }
  const run = spawnSync(process.execPath, [...argv, ...args], {
    cwd: tmpdir(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: run.status,
    result: JSON.parse(run.stdout) as Verification,
    stderr: run.stderr,
  };
}

forEachDatabase('a database administrator rewrites the audit trail', (database) => {
  let svc: TestService;
  let cast: Cast;
  let db: DataSource;
  const dir = mkdtempSync(join(tmpdir(), 'sts-audit-rewrite-'));
  const sinkDir = join(dir, 'sink');
  const sink = join(sinkDir, 'checkpoints.jsonl');
  const pemFile = join(dir, 'audit.pem');
  const witnessFile = join(dir, 'witness.json');
  let fingerprint: string;
  /** What the auditor keeps from the API between two online verifications. */
  let heldWitness: Witness;
  let approveSeq: number;
  let setCustody: (mode: CustodyMode) => void;

  const param = (i: number) => (database === 'postgres' ? `$${i}` : '?');
  const verifyOnline = async (witness?: Witness): Promise<Verification> => {
    const req = witness
      ? svc.http.post('/api/v1/audit/verification').send(witness)
      : svc.http.get('/api/v1/audit/verification');
    return expectStatus(await req.set(...auth(cast.auditor.key)), 200).body as Verification;
  };
  const exportTo = async (name: string): Promise<string> => {
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
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, res.body as string);
    return file;
  };
  const appendEvents = (n: number, tag: string) =>
    svc.app.get(AuditService).recordDurably(
      ...Array.from({ length: n }, (_, i) => ({
        actor: SYSTEM_ACTOR,
        action: 'test.append',
        subjectType: 'test',
        subjectId: `${tag}-${i}`,
      })),
    );

  /**
   * The attack, directly in the database: `change` the event at `seq`, recompute every hash from
   * there with the project's own `eventHash`, delete every checkpoint and move the head.
   */
  const rewrite = async (seq: number, change: Partial<EventRow>) => {
    const set = Object.keys(change).map((c, i) => `${c} = ${param(i + 1)}`);
    await db.query(
      `UPDATE audit_events SET ${set.join(', ')} WHERE seq = ${seq}`,
      Object.values(change),
    );
    const rows = await db.query<EventRow[]>('SELECT * FROM audit_events ORDER BY seq');
    let prevHash = GENESIS_HASH;
    for (const r of rows) {
      const fields: AuditEventFields = {
        seq: Number(r.seq),
        at: r.at,
        actorId: r.actor_id,
        actorName: r.actor_name,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        outcome: r.outcome,
        requestId: r.request_id,
        details: r.details,
      };
      const hash = eventHash(prevHash, fields);
      await db.query(
        `UPDATE audit_events SET prev_hash = ${param(1)}, hash = ${param(2)} WHERE seq = ${param(3)}`,
        [prevHash, hash, fields.seq],
      );
      prevHash = hash;
    }
    await db.query('DELETE FROM audit_checkpoints');
    await db.query(`UPDATE audit_head SET seq = ${param(1)}, hash = ${param(2)} WHERE id = 1`, [
      rows.length,
      prevHash,
    ]);
  };

  beforeAll(async () => {
    mkdirSync(sinkDir);
    svc = await startService({
      database,
      checkpointEvery: EVERY,
      checkpointSink: sink,
      custody: (inner) => {
        const t = toggleCustody(inner);
        setCustody = t.set;
        return t.custody;
      },
    });
    db = svc.app.get(DataSource);
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    await loadAndActivate(svc, cast, '600727');
    await svc.app.get(AuditService).checkpointNow();
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the audit key fingerprint that auditors pin at installation', async () => {
    const body = expectStatus(
      await svc.http.get('/api/v1/audit/public-key').set(...auth(cast.auditor.key)),
      200,
    ).body as { publicKeyPem: string; fingerprint: string };
    const der = createPublicKey(body.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(body.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    writeFileSync(pemFile, body.publicKeyPem);
    fingerprint = body.fingerprint;
  });

  it(
    'the auditor verifies, keeps a witness, and the next verification extends it',
    async () => {
      const online = await verifyOnline();
      expect(online).toMatchObject({ ok: true, keyFingerprint: fingerprint });
      expect(online.witness).toMatchObject({ seq: online.lastSeq, keyFingerprint: fingerprint });
      heldWitness = online.witness!;

      const first = verifyAudit('standalone', [
        '--public-key',
        pemFile,
        '--fingerprint',
        fingerprint,
        '--witness',
        witnessFile,
        await exportTo('first'),
      ]);
      expect(first).toMatchObject({ status: 0, result: { ok: true } });
      const started = JSON.parse(readFileSync(witnessFile, 'utf8')) as Witness;
      expect(started).toMatchObject({
        format: 'sts-audit-witness/v1',
        seq: first.result.lastSeq,
        keyFingerprint: fingerprint,
      });

      await appendEvents(3, 'later');
      const second = verifyAudit('service', [
        '--public-key',
        pemFile,
        '--witness',
        witnessFile,
        await exportTo('second'),
      ]);
      expect(second).toMatchObject({ status: 0, result: { ok: true } });
      expect(second.stderr).toContain(`it extends the witness at event ${started.seq}`);
      const advanced = JSON.parse(readFileSync(witnessFile, 'utf8')) as Witness;
      expect(advanced.seq).toBe(started.seq + 3);

      const withWitness = await verifyOnline(heldWitness);
      expect(withWitness).toMatchObject({ ok: true });
      expect(withWitness.witness!.seq).toBeGreaterThan(heldWitness.seq);
    },
    CLI_TIMEOUT_MS,
  );

  it('copies every signed checkpoint to the sink outside the database', async () => {
    const copied = readFileSync(sink, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    const stored = await db.query<{ seq: number | string; hash: string }[]>(
      'SELECT seq, hash FROM audit_checkpoints ORDER BY seq',
    );
    // In the order signed: a checkpoint on the cadence may be signed after a later head's.
    const bySeq = copied.map((c) => [c.seq, c.hash]).sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(bySeq).toEqual(stored.map((c) => [Number(c.seq), c.hash]));
    expect(copied.length).toBeGreaterThanOrEqual(3);
  });

  it('a sink that cannot be written is counted and fails nothing', async () => {
    const failures = () =>
      svc.app
        .get(MetricsService)
        .auditCheckpointSinkFailures.get()
        .then((m) => m.values[0].value);
    const before = await failures();
    rmSync(sinkDir, { recursive: true });
    await appendEvents(1, 'sink-gone');
    const cp = await svc.app.get(AuditService).checkpointNow();
    expect(cp?.seq).toBe(Number((await db.query('SELECT seq FROM audit_head'))[0].seq));
    expect(await failures()).toBe(before + 1);
    expect(svc.logs.some((l) => l.includes('could not be copied to the sink'))).toBe(true);
  });

  it('signs the checkpoint the token could not sign at the next append', async () => {
    const headSeq = async () => Number((await db.query('SELECT seq FROM audit_head'))[0].seq);
    const signedUpTo = async () =>
      Number((await db.query('SELECT MAX(seq) AS m FROM audit_checkpoints'))[0].m);
    const until = async (condition: () => Promise<boolean>) => {
      for (let i = 0; i < 250 && !(await condition()); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const failed = () => svc.logs.filter((l) => l.includes('audit checkpoint failed')).length;
    const failedBefore = failed();
    const crossing = EVERY - ((await headSeq()) % EVERY); // reaches the next multiple
    setCustody('down');
    try {
      await appendEvents(crossing, 'token-down');
      await until(() => Promise.resolve(failed() > failedBefore));
    } finally {
      setCustody('up');
    }
    const missed = await headSeq();
    expect(missed % EVERY).toBe(0);
    expect(await signedUpTo()).toBeLessThan(missed);
    await appendEvents(1, 'token-back'); // crosses no multiple: signed because one is owed
    await until(async () => (await signedUpTo()) === missed + 1);
    expect(await signedUpTo()).toBe(missed + 1);
  });

  it('refuses a malformed witness with 400 naming the field', async () => {
    const res = await svc.http
      .post('/api/v1/audit/verification')
      .set(...auth(cast.auditor.key))
      .send({ ...heldWitness, hash: 'xyz' });
    expect(res.status).toBe(400);
    expect(res.body.details.fields[0].field).toBe('hash');
  });

  it('the attack: an approval actor changed, every hash recomputed, every checkpoint deleted', async () => {
    // Officer B's approval of a key activation (the admins' approvals of principals come first).
    const approvals = itemsOf<{ seq: number; actorId: string }>(
      expectStatus(
        await svc.http
          .get('/api/v1/audit/events?action=approval.approve')
          .query({ actorId: cast.officerB.id })
          .set(...auth(cast.auditor.key)),
        200,
      ),
    );
    approveSeq = approvals[0].seq;
    const head = Number((await db.query('SELECT seq FROM audit_head'))[0].seq);
    expect(head).toBeGreaterThan(2 * EVERY); // longer than the cadence allows without checkpoints
    expect(approveSeq).toBeLessThanOrEqual(heldWitness.seq);
    expect(approvals[0].actorId).toBe(cast.officerB.id);
    expect((await verifyOnline()).ok).toBe(true);

    await rewrite(approveSeq, { actor_id: cast.officerA.id, actor_name: 'officer-a' });
    const rewritten = itemsOf<{ seq: number; actorId: string }>(
      await svc.http
        .get('/api/v1/audit/events?action=approval.approve')
        .set(...auth(cast.auditor.key)),
    );
    expect(rewritten.find((e) => e.seq === approveSeq)?.actorId).toBe(cast.officerA.id);
  });

  it('is detected online: the trail has no signed checkpoint where the cadence needs one', async () => {
    svc.clock.advance(2 * 60_000); // the auditor looks a little later
    const result = await verifyOnline();
    expect(result).toMatchObject({ ok: false, firstBroken: { seq: 1, reason: 'CHECKPOINT_GAP' } });
    expect(result.witness).toBeUndefined();
    // The service signs its (rewritten) head at the next trigger: still one span too long.
    await svc.app.get(AuditService).checkpointNow();
    expect((await verifyOnline()).firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINT_GAP' });
  });

  it(
    'is detected by the witness online and offline, which stays where it was',
    async () => {
      expect((await verifyOnline(heldWitness)).firstBroken).toMatchObject({
        seq: heldWitness.seq,
        reason: 'WITNESS_MISMATCH',
      });
      const kept = readFileSync(witnessFile, 'utf8');
      const file = await exportTo('rewritten');
      for (const command of ['standalone', 'service'] as const) {
        const run = verifyAudit(command, [
          '--public-key',
          pemFile,
          '--fingerprint',
          fingerprint,
          '--witness',
          witnessFile,
          file,
        ]);
        expect(run).toMatchObject({
          status: 1,
          result: { ok: false, firstBroken: { reason: 'WITNESS_MISMATCH' } },
        });
        expect(run.stderr).toContain('audit export NOT intact: WITNESS_MISMATCH');
      }
      expect(readFileSync(witnessFile, 'utf8')).toBe(kept);
      // Without the witness the export still shows the missing checkpoints.
      expect(
        verifyAudit('standalone', ['--public-key', pemFile, '--fingerprint', fingerprint, file])
          .result.firstBroken,
      ).toMatchObject({ seq: 1, reason: 'CHECKPOINT_GAP' });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'with the token, checkpoints re-signed at the cadence: only the witness still catches it',
    async () => {
      // The attacker also holds the token PIN: signs the rewritten chain as the service would.
      const head = Number((await db.query('SELECT seq FROM audit_head'))[0].seq);
      await db.query('DELETE FROM audit_checkpoints');
      for (let seq = EVERY; seq <= head; seq += EVERY) {
        const { hash } = (
          await db.query<{ hash: string }[]>(
            `SELECT hash FROM audit_events WHERE seq = ${param(1)}`,
            [seq],
          )
        )[0];
        const at = svc.clock.nowIso();
        const signature = await svc.custody.sign('sts-audit', checkpointMessage(seq, hash, at));
        await db.query(
          `INSERT INTO audit_checkpoints (seq, hash, at, key_label, signature) VALUES (${[1, 2, 3, 4, 5].map(param).join(', ')})`,
          [seq, hash, at, 'sts-audit', Buffer.from(signature).toString('hex')],
        );
      }
      await svc.app.get(AuditService).checkpointNow();
      expect(await verifyOnline()).toMatchObject({ ok: true });

      expect((await verifyOnline(heldWitness)).firstBroken).toMatchObject({
        seq: heldWitness.seq,
        reason: 'WITNESS_MISMATCH',
      });
      const file = await exportTo('resigned');
      expect(
        verifyAudit('standalone', ['--public-key', pemFile, '--fingerprint', fingerprint, file]),
      ).toMatchObject({ status: 0, result: { ok: true } });
      const run = verifyAudit('standalone', [
        '--public-key',
        pemFile,
        '--fingerprint',
        fingerprint,
        '--witness',
        witnessFile,
        file,
      ]);
      expect(run).toMatchObject({
        status: 1,
        result: { ok: false, firstBroken: { reason: 'WITNESS_MISMATCH' } },
      });
      expect(approveSeq).toBeLessThanOrEqual(
        (JSON.parse(readFileSync(witnessFile, 'utf8')) as Witness).seq,
      );
    },
    CLI_TIMEOUT_MS,
  );
});
