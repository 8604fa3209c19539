import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { aesKeyWrapPad } from '@sts/hsm';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { forEachDatabase } from '../helpers/databases';
import { PG_URL, startService, type TestService } from '../helpers/key-service-app';
import { allDevSecrets, DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  dualControl,
  expectStatus,
  loadAndActivate,
} from '../helpers/workflows';

// Each test or hook runs several SoftHSM ceremonies, far over the 5 s default on a busy machine.
jest.setTimeout(120_000);

/** Every way a secret could be spelled in text: hex both cases, base64, base64url. */
function spellings(hex: string): string[] {
  const b = Buffer.from(hex, 'hex');
  return [hex.toLowerCase(), hex.toUpperCase(), b.toString('base64'), b.toString('base64url')];
}

forEachDatabase('key material never leaves the token', (database) => {
  let svc: TestService;
  let cast: Cast;
  const responses: string[] = [];
  const keep = (res: Response) => {
    responses.push(res.text ?? '');
    return res;
  };

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    await createSupplyGroup(svc, cast, '600728');
    // DES by ceremony (3 components, one refused first for a wrong check value), rotation, destroy.
    const start = keep(
      expectStatus(
        await svc.http
          .post('/api/v1/supply-groups/600727/vending-keys')
          .set(...auth(cast.officerA.key))
          .send(desRevision(DEV_COMPONENTS.des)),
        201,
      ),
    );
    keep(
      await svc.http
        .post(`/api/v1/ceremonies/${start.body.ceremony.id}/components`)
        .set(...auth(cast.custodians[0].key))
        .send({ component: DEV_COMPONENTS.des[0], kcv: 'abcdef' }),
    );
    keep(
      await svc.http
        .post(`/api/v1/ceremonies/${start.body.ceremony.id}/components`)
        .set(...auth(cast.custodians[0].key))
        .send({ component: DEV_COMPONENTS.des[0], kcv: 'zz' }),
    );
    for (let i = 0; i < 3; i++) {
      keep(
        expectStatus(
          await svc.http
            .post(`/api/v1/ceremonies/${start.body.ceremony.id}/components`)
            .set(...auth(cast.custodians[i].key))
            .send({ component: DEV_COMPONENTS.des[i], kcv: kcvOf('DES', DEV_COMPONENTS.des[i]) }),
          200,
        ),
      );
    }
    const act = keep(
      expectStatus(
        await svc.http
          .post(`/api/v1/vending-keys/${start.body.vendingKey.id}/activate`)
          .set(...auth(cast.officerA.key))
          .send({}),
        202,
      ),
    );
    keep(
      await svc.http
        .post(`/api/v1/approvals/${act.body.id}/approve`)
        .set(...auth(cast.officerB.key))
        .send({ payloadHash: act.body.payloadHash }),
    );
    await loadAndActivate(svc, cast, '600727', DEV_COMPONENTS.des2);
    keep(await dualControl(svc, cast, start.body.vendingKey.id, 'destroy'));
    // AES KEK by ceremony, HMAC vending key by wrapped import.
    const kek = keep(
      expectStatus(
        await svc.http
          .post('/api/v1/keks')
          .set(...auth(cast.officerA.key))
          .send({
            name: 'kek',
            lengthBytes: 16,
            expectedKcv: kcvOf('AES', xorHex(DEV_COMPONENTS.aes)),
            componentCount: 2,
          }),
        201,
      ),
    );
    for (let i = 0; i < 2; i++) {
      keep(
        await svc.http
          .post(`/api/v1/ceremonies/${kek.body.ceremony.id}/components`)
          .set(...auth(cast.custodians[i].key))
          .send({ component: DEV_COMPONENTS.aes[i], kcv: kcvOf('AES', DEV_COMPONENTS.aes[i]) }),
      );
    }
    const vk = xorHex(DEV_COMPONENTS.hmac);
    const wrapped = aesKeyWrapPad(
      Buffer.from(xorHex(DEV_COMPONENTS.aes), 'hex'),
      Buffer.from(vk, 'hex'),
    );
    const imp = keep(
      expectStatus(
        await svc.http
          .post('/api/v1/supply-groups/600728/vending-keys')
          .set(...auth(cast.officerA.key))
          .send({
            keyType: 'VUDK',
            dkga: '04',
            allowedEas: ['07'],
            baseDate: 2014,
            ken: 1,
            expectedKcv: kcvOf('HMAC', vk),
            loadMethod: 'wrapped-import',
            kekId: kek.body.kek.id,
            wrappedKey: Buffer.from(wrapped).toString('hex'),
          }),
        201,
      ),
    );
    keep(
      expectStatus(
        await svc.http
          .post(`/api/v1/approvals/${imp.body.approval.id}/approve`)
          .set(...auth(cast.officerB.key))
          .send({ payloadHash: imp.body.approval.payloadHash }),
        200,
      ),
    );
    // Every read route, as each reader sees it.
    for (const key of [cast.officerA.key, cast.auditor.key, svc.adminKey]) {
      for (const path of [
        '/api/v1/principals',
        '/api/v1/supply-groups',
        '/api/v1/vending-keys',
        '/api/v1/keks',
        '/api/v1/ceremonies',
        '/api/v1/approvals',
        '/api/v1/audit/events?limit=500',
        '/api/v1/audit/checkpoints',
        '/api/v1/audit/export',
      ]) {
        keep(
          await svc.http
            .get(path)
            .set(...auth(key))
            .buffer(true),
        );
      }
    }
  });
  afterAll(async () => svc.close());

  const secrets = () => allDevSecrets().flatMap(spellings);

  it('exercised the routes that carry secrets', () => {
    expect(responses.length).toBeGreaterThan(30);
    expect(responses.some((r) => r.includes('"state":"completed"'))).toBe(true);
  });

  it('no response contains a key or component', () => {
    for (const s of secrets()) expect(responses.filter((r) => r.includes(s))).toEqual([]);
  });

  it('no log line contains a key or component', () => {
    expect(svc.logs.length).toBeGreaterThan(30);
    for (const s of secrets()) expect(svc.logs.filter((l) => l.includes(s))).toEqual([]);
  });

  it('no database dump contains a key or component', async () => {
    let dump: string;
    if (svc.config.database.type === 'postgres') {
      dump = execFileSync(
        'pg_dump',
        ['--no-owner', '--schema', svc.config.database.schema, PG_URL],
        {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      expect(dump).toContain('audit_events');
    } else {
      // The SQLite files themselves (database, WAL) as bytes and as text, after a checkpoint.
      await svc.app.get(DataSource).query('PRAGMA wal_checkpoint(TRUNCATE)');
      const dir = dirname(svc.config.database.path);
      const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
      expect(files.length).toBeGreaterThan(0);
      for (const hex of allDevSecrets()) {
        for (const f of files) expect(f.indexOf(Buffer.from(hex, 'hex'))).toBe(-1);
      }
      dump = files.map((f) => f.toString('latin1')).join('\n');
      expect(dump).toContain('audit_events');
    }
    for (const s of secrets()) expect(dump.includes(s)).toBe(false);
  });
});
