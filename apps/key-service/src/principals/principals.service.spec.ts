import type { EntityManager } from 'typeorm';
import type { ApprovalsService } from '../approvals/approvals.service';
import type { AuditService } from '../audit/audit.service';
import { newApiKey } from '../auth/api-key';
import type { AppConfig } from '../config/app-config';
import type { TransactionRunner } from '../database/transaction-runner';
import { Principal } from './principal.entity';
import { PrincipalsService } from './principals.service';

/** A transaction runner over one principal row that counts the reads it serves. */
function fakeDatabase(row: Principal) {
  const calls = { reads: 0 };
  const em = {
    findOneBy: (_entity: unknown, where: { apiKeyId?: string; id?: string }) =>
      Promise.resolve(where.apiKeyId === row.apiKeyId || where.id === row.id ? row : null),
    save: (p: Principal) => Promise.resolve(p),
  } as unknown as EntityManager;
  const tx = {
    read: <T>(work: (e: EntityManager) => Promise<T>) => {
      calls.reads += 1;
      return work(em);
    },
    run: <T>(work: (e: EntityManager) => Promise<T>) => work(em),
  } as unknown as TransactionRunner;
  return { tx, calls };
}

function setUp(authCacheMs: number) {
  const key = newApiKey();
  const row = Object.assign(new Principal(), {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'vendor',
    roles: ['vending-client'],
    sgcScope: ['600727'],
    state: 'active',
    apiKeyId: key.id,
    apiKeyHash: key.hash,
    apiKeyScheme: 2,
    apiKeyEnrolment: false,
    apiKeyCreatedAt: '2026-01-01T00:00:00.000Z',
  });
  const { tx, calls } = fakeDatabase(row);
  const audit = { record: () => Promise.resolve() } as unknown as AuditService;
  const now = new Date('2026-01-01T00:00:00.000Z');
  const clock = { now: () => now, nowIso: () => now.toISOString() };
  const approvals = {} as ApprovalsService;
  const service = new PrincipalsService(tx, audit, approvals, clock, {
    authCacheMs,
    enrolmentTtlSeconds: 3600,
  } as AppConfig);
  return { service, key: key.key, row, calls };
}

const ADMIN = { id: 'admin', name: 'admin', roles: ['admin' as const], sgcScope: [] };

describe('PrincipalsService.authenticate', () => {
  it('reads the principal once within STS_AUTH_CACHE_MS and still checks the secret every time', async () => {
    const { service, key, calls } = setUp(60_000);
    const ok = { ok: true, principal: { name: 'vendor' }, enrolment: false };
    expect(await service.authenticate(key)).toMatchObject(ok);
    expect(await service.authenticate(key)).toMatchObject(ok);
    expect(calls.reads).toBe(1);
    const wrongSecret = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await service.authenticate(wrongSecret)).toMatchObject({
      ok: false,
      reason: 'wrong-secret',
    });
    expect(calls.reads).toBe(1);
  });

  it('reads on every request when the cache is off', async () => {
    const { service, key, calls } = setUp(0);
    await service.authenticate(key);
    await service.authenticate(key);
    expect(calls.reads).toBe(2);
  });

  it('forgets cached principals when this process changes one', async () => {
    const { service, key, row, calls } = setUp(60_000);
    expect(await service.authenticate(key)).toMatchObject({ ok: true });
    await service.update(ADMIN, row.id, { state: 'disabled' });
    expect(await service.authenticate(key)).toMatchObject({ ok: false, reason: 'disabled' });
    expect(calls.reads).toBe(2);
  });
});

describe('PrincipalsService enrolment keys', () => {
  it('answers an enrolment key as such, and refuses it once STS_ENROLMENT_TTL_HOURS has passed', async () => {
    const { service, key, row } = setUp(0);
    row.apiKeyEnrolment = true;
    expect(await service.authenticate(key)).toMatchObject({ ok: true, enrolment: true });
    row.apiKeyCreatedAt = '2025-12-31T22:59:59.999Z'; // issued more than an hour before now
    expect(await service.authenticate(key)).toMatchObject({
      ok: false,
      reason: 'enrolment-expired',
    });
    row.apiKeyCreatedAt = '2025-12-31T23:00:00.000Z'; // exactly an hour: still good
    expect(await service.authenticate(key)).toMatchObject({ ok: true, enrolment: true });
  });

  it('refuses a change of the caller itself', async () => {
    const { service, row } = setUp(0);
    await expect(
      service.update({ ...ADMIN, id: row.id }, row.id, { state: 'disabled' }),
    ).rejects.toMatchObject({ code: 'SELF_CHANGE' });
    await expect(service.requestKey({ ...ADMIN, id: row.id }, row.id)).rejects.toMatchObject({
      code: 'SELF_CHANGE',
    });
  });
});
