import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { InMemoryKeyCustody, type KeyCustody } from '@sts/hsm';
import request from 'supertest';
import { createApp } from '../../apps/key-service/src/app-factory';
import { Clock } from '../../apps/key-service/src/common/clock';
import { JsonLogger } from '../../apps/key-service/src/common/json-logger';
import type { AppConfig } from '../../apps/key-service/src/config/app-config';
import { createDataSource, ensureSchema } from '../../apps/key-service/src/database/data-source';
import { PrincipalsService } from '../../apps/key-service/src/principals/principals.service';
import type { Role } from '../../apps/key-service/src/auth/role';
import { softHsmFixture, type SoftHsmFixture } from './softhsm';

/** A clock tests can move forward without sleeping. */
export class TestClock extends Clock {
  private offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export type DatabaseKind = 'sqlite' | 'postgres';

export interface StartOptions {
  readonly database?: DatabaseKind;
  /** 'softhsm' (default): a fresh SoftHSM token; 'memory': the in-memory custody (fast, unit-like). */
  readonly token?: 'softhsm' | 'memory';
  /** Use this custody instead of a fresh one (e.g. a wrapper that can fail on demand). */
  readonly custody?: (inner: KeyCustody) => KeyCustody;
  readonly quorum?: number;
  readonly checkpointEvery?: number;
  /** STS_AUDIT_CHECKPOINT_SINK: a file that receives a copy of every signed checkpoint. */
  readonly checkpointSink?: string;
}

/** A running key service for one suite, with its data dir, database, token and log lines. */
export interface TestService {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  readonly config: AppConfig;
  readonly clock: TestClock;
  readonly logs: string[];
  readonly custody: KeyCustody;
  readonly adminKey: string;
  /** Creates a principal with `roles` through the API; returns its id and API key. */
  principal(
    roles: Role[],
    name?: string,
    sgcScope?: string[],
  ): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

/** PostgreSQL for the PG suites: DATABASE_URL or the local trust-auth server. */
export const PG_URL =
  process.env.STS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let counter = 0;

/**
 * Starts the key service as production does (migrations as a separate step first), on SQLite
 * in a temp dir or on a fresh PostgreSQL schema, with a real SoftHSM token when the PKCS#11
 * adapter is available, else the in-memory custody.
 */
export async function startService(options: StartOptions = {}): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-ks-'));
  const kind = options.database ?? 'sqlite';
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const token: SoftHsmFixture | undefined =
    (options.token ?? 'softhsm') === 'softhsm' ? softHsmFixture() : undefined;
  const config: AppConfig = {
    database:
      kind === 'sqlite'
        ? { type: 'sqlite', path: join(dir, 'data', 'key-service.sqlite') }
        : { type: 'postgres', url: PG_URL, schema },
    http: { host: '127.0.0.1', port: 0 },
    hsm: token
      ? { module: token.module, tokenLabel: token.label, pin: token.pin }
      : { module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'memory', pin: 'memory' },
    audit: {
      keyLabel: 'sts-audit',
      checkpointEvery: options.checkpointEvery ?? 1000,
      checkpointSeconds: 0,
      ...(options.checkpointSink ? { checkpointSink: options.checkpointSink } : {}),
    },
    approvals: { quorum: options.quorum ?? 1, ttlSeconds: 3600 },
    schedulerSeconds: 0,
    authCacheMs: 1000,
    logLevel: 'debug',
  };
  const ds = createDataSource(config.database);
  await ds.initialize();
  await ensureSchema(ds, config.database);
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  const inner: KeyCustody = token
    ? await token.open()
    : new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true });
  const custody = options.custody ? options.custody(inner) : inner;
  const logs: string[] = [];
  const clock = new TestClock();
  const app = await createApp(config, {
    custody,
    clock,
    logger: new JsonLogger('debug', (l) => logs.push(l)),
  });
  const http = request(app.getHttpServer());
  const boot = await app.get(PrincipalsService).bootstrapAdmin('admin');
  if (!boot) throw new Error('bootstrap admin was not created on a fresh database');
  const adminKey = boot.apiKey;
  let n = 0;
  return {
    app,
    http,
    config,
    clock,
    logs,
    custody,
    adminKey,
    async principal(roles, name, sgcScope) {
      const res = await http
        .post('/api/v1/principals')
        .set('Authorization', `Bearer ${adminKey}`)
        .send({
          name: name ?? `${roles.join('+')}-${n++}`,
          roles,
          ...(sgcScope ? { sgcScope } : {}),
        });
      if (res.status !== 201)
        throw new Error(`principal creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, key: res.body.apiKey as string };
    },
    async close() {
      if (process.env.STS_TEST_DUMP_LOGS)
        console.log(logs.filter((l) => l.includes('"level":"error"')).join('\n'));
      await app.close();
      if (kind === 'postgres') {
        const admin = createDataSource({ type: 'postgres', url: PG_URL, schema: 'public' });
        await admin.initialize();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
