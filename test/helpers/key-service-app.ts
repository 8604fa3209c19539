import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { InMemoryKeyCustody, type KeyCustody, Pkcs11KeyCustody } from '@sts/hsm';
import { createNssToken } from '../../libs/hsm/test/support/nss-token';
import request from 'supertest';
import { createApp } from '../../apps/key-service/src/app-factory';
import { Clock } from '../../apps/key-service/src/common/clock';
import { JsonLogger } from '../../apps/key-service/src/common/json-logger';
import {
  type AppConfig,
  type CampaignLivenessConfig,
  DEFAULT_CAMPAIGN_LIVENESS,
  DEFAULT_RECONNECT,
  DEFAULT_VENDING,
  type VendingConfig,
} from '../../apps/key-service/src/config/app-config';
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
  /**
   * 'softhsm' (default, or 'nss' when STS_E2E_TOKEN=nss): a fresh SoftHSM token; 'nss': a fresh
   * NSS softokn database (the second PKCS#11 implementation); 'shim': SoftHSM through the
   * PKCS#11 latency and fault shim (test/pkcs11-shim, controlled through STS_SHIM_CONTROL);
   * 'memory': the in-memory custody (fast, unit-like).
   */
  readonly token?: 'softhsm' | 'nss' | 'shim' | 'memory';
  /** STS_HSM_CALL_TIMEOUT_MS of the PKCS#11 custody (default 5000). */
  readonly hsmCallTimeoutMs?: number;
  /** Use this custody instead of a fresh one (e.g. a wrapper that can fail on demand). */
  readonly custody?: (inner: KeyCustody) => KeyCustody;
  readonly quorum?: number;
  readonly checkpointEvery?: number;
  /** STS_AUDIT_CHECKPOINT_SINK: a file that receives a copy of every signed checkpoint. */
  readonly checkpointSink?: string;
  /** PostgreSQL: the URL the service connects to (e.g. through a test proxy); default PG_URL. */
  readonly databaseUrl?: string;
  /** Campaign heartbeat, takeover and progress settings (short ones for the fault suite). */
  readonly campaigns?: Partial<CampaignLivenessConfig>;
  readonly reconnect?: AppConfig['reconnect'];
  /** False: this process serves the API only (KEY_SERVICE_CAMPAIGN_WORKER=0). */
  readonly campaignWorker?: boolean;
  /** Vending settings (e.g. a TID window sized to the suite). */
  readonly vending?: Partial<VendingConfig>;
}

/** A running key service for one suite, with its data dir, database, token and log lines. */
export interface TestService {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  readonly config: AppConfig;
  readonly clock: TestClock;
  readonly logs: string[];
  readonly custody: KeyCustody;
  /** The first admin's own key (installed, then enrolled). */
  readonly adminKey: string;
  /** A second admin's own key: the approver of grants the first admin asks for. */
  readonly secondAdminKey: string;
  /**
   * Creates a principal with `roles` through the API as an admin would (a second admin approving
   * where the role needs it), has its holder exchange the enrolment key, and returns its id and
   * its own API key.
   */
  principal(
    roles: Role[],
    name?: string,
    sgcScope?: string[],
  ): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

/** Exchanges an enrolment key for the holder's own key, as its holder would. */
export async function enrol(
  http: ReturnType<typeof request>,
  enrolmentKey: string,
): Promise<string> {
  const res = await http
    .post('/api/v1/principals/me/api-key')
    .set('Authorization', `Bearer ${enrolmentKey}`);
  if (res.status !== 200)
    throw new Error(`enrolment failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.apiKey as string;
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
  const tokenKind = options.token ?? (process.env.STS_E2E_TOKEN === 'nss' ? 'nss' : 'softhsm');
  const nss = tokenKind === 'nss' ? createNssToken() : undefined;
  const token: SoftHsmFixture | undefined =
    tokenKind === 'memory' || nss ? undefined : softHsmFixture(tokenKind === 'shim');
  const config: AppConfig = {
    database:
      kind === 'sqlite'
        ? { type: 'sqlite', path: join(dir, 'data', 'key-service.sqlite') }
        : { type: 'postgres', url: PG_URL, schema },
    http: { host: '127.0.0.1', port: 0 },
    hsm: {
      ...(nss
        ? {
            module: nss.config.modulePath,
            tokenLabel: nss.config.tokenLabel,
            pin: nss.config.pin,
            libraryParameters: nss.config.libraryParameters,
          }
        : token
          ? { module: token.module, tokenLabel: token.label, pin: token.pin }
          : { module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'memory', pin: 'memory' }),
      maxInFlight: 8,
      callTimeoutMs: options.hsmCallTimeoutMs ?? 5000,
    },
    audit: {
      keyLabel: 'sts-audit',
      checkpointEvery: options.checkpointEvery ?? 1000,
      checkpointSeconds: 0,
      ...(options.checkpointSink ? { checkpointSink: options.checkpointSink } : {}),
    },
    approvals: { quorum: options.quorum ?? 1, ttlSeconds: 3600 },
    enrolmentTtlSeconds: 72 * 3600,
    schedulerSeconds: 0,
    authCacheMs: 1000,
    logLevel: 'debug',
    reconnect: options.reconnect ?? DEFAULT_RECONNECT,
    campaigns: { ...DEFAULT_CAMPAIGN_LIVENESS, ...options.campaigns },
    campaignWorker: options.campaignWorker ?? true,
    vending: { ...DEFAULT_VENDING, ...options.vending },
  };
  const ds = createDataSource(config.database);
  await ds.initialize();
  await ensureSchema(ds, config.database);
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  const limits = { maxInFlight: config.hsm.maxInFlight, callTimeoutMs: config.hsm.callTimeoutMs };
  const inner: KeyCustody = nss
    ? await Pkcs11KeyCustody.open({ ...nss.config, ...limits })
    : token
      ? await token.open(limits)
      : new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true });
  const custody = options.custody ? options.custody(inner) : inner;
  const logs: string[] = [];
  const clock = new TestClock();
  const appConfig: AppConfig =
    options.databaseUrl && config.database.type === 'postgres'
      ? { ...config, database: { ...config.database, url: options.databaseUrl } }
      : config;
  const app = await createApp(appConfig, {
    custody,
    clock,
    logger: new JsonLogger('debug', (l) => logs.push(l)),
  });
  const http = request(app.getHttpServer());
  // One admin asks; as many others as the quorum needs approve.
  const admins = [
    'admin',
    ...Array.from({ length: config.approvals.quorum }, (_, i) => `admin-${i + 2}`),
  ];
  const installed = await app
    .get(PrincipalsService)
    .install({ admins, officers: [], custodians: [], auditors: [] });
  if (!installed) throw new Error('the installation created nobody on a fresh database');
  const [adminKey, ...approverKeys] = await Promise.all(
    installed.map((p) => enrol(http, p.apiKey)),
  );
  const secondAdminKey = approverKeys[0];
  let n = 0;
  return {
    app,
    http,
    config: appConfig,
    clock,
    logs,
    custody,
    adminKey,
    secondAdminKey,
    async principal(roles, name, sgcScope) {
      const res = await http
        .post('/api/v1/principals')
        .set('Authorization', `Bearer ${adminKey}`)
        .send({
          name: name ?? `${roles.join('+')}-${n++}`,
          roles,
          ...(sgcScope ? { sgcScope } : {}),
        });
      if (res.status === 201) {
        return { id: res.body.id as string, key: await enrol(http, res.body.apiKey as string) };
      }
      if (res.status !== 202)
        throw new Error(`principal creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      let secondPart: string | undefined;
      for (const approver of approverKeys) {
        const approved = await http
          .post(`/api/v1/approvals/${res.body.approval.id as string}/approve`)
          .set('Authorization', `Bearer ${approver}`)
          .send({ payloadHash: res.body.approval.payloadHash as string });
        if (approved.status !== 200)
          throw new Error(`approval failed: ${approved.status} ${JSON.stringify(approved.body)}`);
        secondPart = approved.body.result?.apiKeyPart as string | undefined;
      }
      if (!secondPart) throw new Error('the last approval issued no second key part');
      const whole = `${res.body.apiKeyPart as string}${secondPart}`;
      return { id: res.body.principal.id as string, key: await enrol(http, whole) };
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
      nss?.remove();
    },
  };
}
