import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { newApiKey } from '../auth/api-key';
import type { Clock } from '../common/clock';
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
  });
  const { tx, calls } = fakeDatabase(row);
  const audit = { record: () => Promise.resolve() } as unknown as AuditService;
  const clock = { nowIso: () => '2026-01-01T00:00:00.000Z' } as unknown as Clock;
  const service = new PrincipalsService(tx, audit, clock, { authCacheMs } as AppConfig);
  return { service, key: key.key, row, calls };
}

const ADMIN = { id: 'admin', name: 'admin', roles: ['admin' as const], sgcScope: [] };

describe('PrincipalsService.authenticate', () => {
  it('reads the principal once within STS_AUTH_CACHE_MS and still checks the secret every time', async () => {
    const { service, key, calls } = setUp(60_000);
    expect(await service.authenticate(key)).toMatchObject({ name: 'vendor' });
    expect(await service.authenticate(key)).toMatchObject({ name: 'vendor' });
    expect(calls.reads).toBe(1);
    const wrongSecret = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await service.authenticate(wrongSecret)).toBeUndefined();
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
    expect(await service.authenticate(key)).toBeDefined();
    await service.update(ADMIN, row.id, { state: 'disabled' });
    expect(await service.authenticate(key)).toBeUndefined();
    expect(calls.reads).toBe(2);
  });
});
