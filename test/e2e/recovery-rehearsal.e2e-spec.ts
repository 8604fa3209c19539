import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Pkcs11KeyCustody } from '@sts/hsm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/key-service/src/app-factory';
import type { Witness } from '../../apps/key-service/src/audit/audit-chain';
import { JsonLogger } from '../../apps/key-service/src/common/json-logger';
import { onPostgres } from '../helpers/databases';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { PG_URL, startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  tokenLabelOf,
} from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  virtualMeter,
} from './vending.support';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const SERVICE_CLI = join(ROOT, 'apps', 'key-service', 'dist', 'cli.js');
const VERIFIER = join(ROOT, 'tools', 'audit-verifier', 'verify-audit.js');
const WINDOW = 10;

/** One token the vending system handed to a customer, in the order they were issued. */
interface Issued {
  readonly meter: 'a' | 'b';
  readonly token: string;
  readonly tid: number;
}

/**
 * The disaster-recovery rehearsal of docs/operations.md, on PostgreSQL and SoftHSM: tokens are
 * issued, the database is backed up with pg_dump, more tokens (several per meter in the same
 * minute) and a new key follow, the database is lost and restored from the backup onto a fresh
 * service with the same token, restore-complete and verify-custody run as an operator runs them,
 * and vending resumes: no TID is reused, every token reaches the meter, and the audit chain
 * reports the lost events.
 */
onPostgres('backup, restore and disaster recovery', () => {
  let svc: TestService;
  let cast: Cast;
  let key: LoadedKey;
  let client: { id: string; key: string };
  let restarted: INestApplication | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sts-recovery-'));
  const sink = join(dir, 'checkpoints.jsonl');
  const backup = join(dir, 'key-service.dump');
  const witnessFile = join(dir, 'auditor-witness.json');
  const issued: Issued[] = [];
  let schema: string;
  let restoredHeadSeq: number;
  let lostKeyLabel: string;
  let heldWitness: Witness;

  const meters: Record<Issued['meter'], MeterParams> = {
    a: {
      iin: '600727',
      drn: drn('0000000101'),
      sgc: '123456',
      krn: 1,
      tariffIndex: '01',
      ea: '07',
    },
    b: {
      iin: '600727',
      drn: drn('0000000102'),
      sgc: '123456',
      krn: 1,
      tariffIndex: '01',
      ea: '07',
    },
  };

  const credit = async (http: ReturnType<typeof request>, m: Issued['meter']) => {
    const res = expectStatus(
      await http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(client.key))
        .send({ meter: meters[m], subclass: 0, amount: '5' }),
      201,
    );
    const token = res.body.tokens[0] as { token: string; tid: number };
    issued.push({ meter: m, token: token.token, tid: token.tid });
    return token;
  };

  /** The environment an operator's shell has: the service's configuration, nothing else. */
  const operatorEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    SOFTHSM2_CONF: process.env.SOFTHSM2_CONF,
    DATABASE_URL: PG_URL,
    STS_DB_SCHEMA: schema,
    STS_HSM_MODULE: svc.config.hsm.module,
    STS_HSM_TOKEN_LABEL: svc.config.hsm.tokenLabel,
    STS_HSM_PIN: svc.config.hsm.pin,
    STS_AUDIT_CHECKPOINT_SINK: sink,
    STS_VENDING_TID_WINDOW_MINUTES: String(WINDOW),
    STS_SCHEDULER_SECONDS: '0',
    STS_AUDIT_CHECKPOINT_SECONDS: '0',
  });
  const keyService = (...args: string[]) =>
    spawnSync(process.execPath, [SERVICE_CLI, ...args], {
      env: operatorEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });

  beforeAll(async () => {
    if (!existsSync(SERVICE_CLI)) throw new Error(`${SERVICE_CLI} is missing: run "npm run build"`);
    svc = await startService({
      database: 'postgres',
      checkpointEvery: 5,
      checkpointSink: sink,
      vending: { tidWindowMinutes: WINDOW },
    });
    if (svc.config.database.type !== 'postgres') throw new Error('not on PostgreSQL');
    schema = svc.config.database.schema!;
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '123456');
    await createSupplyGroup(svc, cast, '123457');
    key = await loadKey(svc, cast, { sgc: '123456' });
    client = await onboardClient(svc, cast, 'vendor', ['123456', '123457'], ALL_ALLOWED);
  });

  afterAll(async () => {
    await restarted?.close();
    const admin = new DataSource({ type: 'postgres', url: PG_URL });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs the database up with pg_dump while the service vends', async () => {
    await credit(svc.http, 'a');
    await credit(svc.http, 'b');
    execFileSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${backup}`, PG_URL]);
    expect(readFileSync(backup).length).toBeGreaterThan(0);
  });

  it('goes on after the backup: several tokens per meter in one minute, a new key, a witness', async () => {
    const burst = await Promise.all([1, 2, 3, 4].map(() => credit(svc.http, 'a')));
    const tids = burst.map((t) => t.tid).sort((x, y) => x - y);
    // Allocated ahead of the clock: consecutive minutes from now on.
    expect(tids).toEqual([tids[0], tids[0] + 1, tids[0] + 2, tids[0] + 3]);
    await credit(svc.http, 'b');
    const second = await loadKey(svc, cast, {
      sgc: '123457',
      components: [DEV_COMPONENTS.des[1], DEV_COMPONENTS.des[2]],
    });
    lostKeyLabel = await tokenLabelOf(svc, cast, second.id);
    await credit(svc.http, 'a');
    const verification = expectStatus(
      await svc.http.get('/api/v1/audit/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as { ok: boolean; witness: Witness };
    expect(verification.ok).toBe(true);
    heldWitness = verification.witness;
    writeFileSync(witnessFile, JSON.stringify(heldWitness));
  });

  it('loses the database and restores the backup with pg_restore', async () => {
    // The service stops (the disk failed); its token survives.
    await svc.app.close();
    const admin = new DataSource({ type: 'postgres', url: PG_URL });
    await admin.initialize();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.destroy();
    execFileSync('pg_restore', ['--exit-on-error', `--dbname=${PG_URL}`, backup]);
    await admin.initialize();
    const [head] = await admin.query<{ seq: string }[]>(
      `SELECT seq FROM "${schema}".audit_head WHERE id = 1`,
    );
    await admin.destroy();
    restoredHeadSeq = Number(head.seq);
    // The auditor verified events the restored database no longer holds.
    expect(heldWitness.seq).toBeGreaterThan(restoredHeadSeq);
  });

  it('restore-complete records the restore, the lost range from the checkpoint sink, and the TID floor', () => {
    const run = keyService('restore-complete');
    expect(run.status).toBe(0);
    const lastSinkSeq = Math.max(
      ...readFileSync(sink, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    );
    expect(run.stdout).toContain(`restore recorded as audit event ${restoredHeadSeq + 1}`);
    expect(run.stdout).toContain(`events ${restoredHeadSeq + 1} to ${lastSinkSeq}`);
    expect(run.stdout).toContain(`the ${WINDOW}-minute TID window`);
  });

  it('verify-custody finds every key the database knows and lists the key made after the backup', () => {
    const run = keyService('verify-custody', '--json', '--out', join(dir, 'custody-report.json'));
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      summary: Record<string, number>;
      unexpected: { label: string; reason: string }[];
      keys: { kind: string; ok: boolean }[];
    };
    expect(report.summary).toMatchObject({ failed: 0, unexpected: 1 });
    expect(report.unexpected).toEqual([
      expect.objectContaining({ label: lostKeyLabel, reason: 'unknown' }),
    ]);
    expect(report.keys.map((k) => k.kind).sort()).toEqual([
      'audit-key',
      'transport-key',
      'vending-key',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'custody-report.json'), 'utf8'))).toEqual(report);
  });

  it('a fresh service on the restored database issues TIDs above every TID issued before the failure', async () => {
    const config = svc.config;
    const custody = await Pkcs11KeyCustody.open({
      modulePath: config.hsm.module,
      tokenLabel: config.hsm.tokenLabel,
      pin: config.hsm.pin,
    });
    restarted = await createApp(config, {
      custody,
      logger: new JsonLogger('warn', () => undefined),
    });
    const http = request(restarted.getHttpServer());
    const beforeFailure = issued.map((t) => t.tid);
    const again = [
      await credit(http, 'a'),
      await credit(http, 'a'),
      await credit(http, 'b'),
      await credit(http, 'a'),
    ];
    for (const t of again) expect(t.tid).toBeGreaterThan(Math.max(...beforeFailure));

    // Each meter accepted every token it was given, in the order it was given them.
    for (const m of ['a', 'b'] as const) {
      const meter = virtualMeter(key, meters[m]);
      for (const t of issued.filter((i) => i.meter === m)) {
        expect([t.tid, meter.enter(t.token).outcome]).toEqual([t.tid, 'CREDIT_ACCEPTED']);
      }
    }

    const custodyReport = expectStatus(
      await http.get('/api/v1/custody/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as { summary: Record<string, number> };
    expect(custodyReport.summary).toMatchObject({ failed: 0, unexpected: 1 });
  });

  it('audit verification names the restore and tells the auditor which events are gone', async () => {
    const http = request(restarted!.getHttpServer());
    const online = expectStatus(
      await http.get('/api/v1/audit/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as {
      ok: boolean;
      restores: { seq: number; restoredHeadSeq: number; lostThroughSeq: number }[];
    };
    expect(online.ok).toBe(true);
    expect(online.restores).toEqual([
      expect.objectContaining({
        seq: restoredHeadSeq + 1,
        restoredHeadSeq,
        lostFromSeq: restoredHeadSeq + 1,
      }),
    ]);
    expect(online.restores[0].lostThroughSeq).toBeGreaterThanOrEqual(heldWitness.seq);

    const withWitness = expectStatus(
      await http
        .post('/api/v1/audit/verification')
        .set(...auth(cast.auditor.key))
        .send(heldWitness),
      200,
    ).body as { ok: boolean; witnessLost: Record<string, number> };
    expect(withWitness).toMatchObject({
      ok: true,
      witnessLost: {
        witnessSeq: heldWitness.seq,
        fromSeq: restoredHeadSeq + 1,
        restoreSeq: restoredHeadSeq + 1,
      },
    });

    // Offline, with the auditor's witness file: exit 3, the lost range, the old witness kept.
    const exported = await http
      .get('/api/v1/audit/export')
      .set(...auth(cast.auditor.key))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => cb(null, text));
      });
    const exportFile = join(dir, 'export.jsonl');
    writeFileSync(exportFile, exported.body as string);
    const key = expectStatus(
      await http.get('/api/v1/audit/public-key').set(...auth(cast.auditor.key)),
      200,
    ).body as { publicKeyPem: string };
    const pemFile = join(dir, 'audit.pem');
    writeFileSync(pemFile, key.publicKeyPem);
    const offline = spawnSync(
      process.execPath,
      [VERIFIER, '--public-key', pemFile, '--witness', witnessFile, exportFile],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(offline.status).toBe(3);
    expect(offline.stderr).toContain(`events ${restoredHeadSeq + 1} to`);
    expect(existsSync(`${witnessFile}.lost-${restoredHeadSeq + 1}`)).toBe(true);
  });
});
