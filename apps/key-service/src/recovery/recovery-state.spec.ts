import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import type { TransactionRunner } from '../database/transaction-runner';
import { RecoveryState } from './recovery-state';

function stateWith(read: () => Promise<{ floor: string | null }[]>): RecoveryState {
  const tx = { read: () => read() } as unknown as TransactionRunner;
  return new RecoveryState(tx, new JsonLogger('error', () => undefined));
}

describe('RecoveryState', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');

  it('counts TIDs from the clock without a restore, and from the latest floor while it is ahead', async () => {
    const none = stateWith(() => Promise.resolve([{ floor: null }]));
    await none.onModuleInit();
    expect(none.tidTime(now)).toBe(now);

    const restored = stateWith(() => Promise.resolve([{ floor: '2026-01-01T13:00:00.000Z' }]));
    await restored.onModuleInit();
    expect(restored.tidTime(now).toISOString()).toBe('2026-01-01T13:00:00.000Z');
    const later = new Date('2026-01-01T14:00:00.000Z');
    expect(restored.tidTime(later)).toBe(later);
    restored.raiseFloor(new Date('2026-01-01T12:30:00.000Z')); // never lowered
    expect(restored.tidTime(now).toISOString()).toBe('2026-01-01T13:00:00.000Z');
    restored.onModuleDestroy();
  });

  it('answers 503 while the floor could not be read, and counts once a retry read it', async () => {
    jest.useFakeTimers({ now });
    let up = false;
    const state = stateWith(() =>
      up ? Promise.resolve([{ floor: null }]) : Promise.reject(new Error('connection refused')),
    );
    await state.onModuleInit();
    expect(() => state.tidTime(now)).toThrow(
      expect.objectContaining({ code: ErrorCode.DATABASE_UNAVAILABLE }),
    );
    up = true;
    await jest.advanceTimersByTimeAsync(5000);
    expect(state.tidTime(now)).toBe(now);
    state.onModuleDestroy();
    jest.useRealTimers();
  });

  it('refuses exactly the keys the last report failed', () => {
    const state = stateWith(() => Promise.resolve([{ floor: null }]));
    const report = (failed: string[]) => ({
      ok: failed.length === 0,
      checkedAt: now.toISOString(),
      token: 't',
      keys: ['vk-1', 'vk-2'].map((label) =>
        failed.includes(label)
          ? {
              kind: 'vending-key' as const,
              id: `id-${label}`,
              label,
              state: 'active',
              sgc: '123456',
              krn: 1,
              ok: false,
              failure: 'MISSING' as const,
              problems: [`no key labelled ${label} in the token`],
            }
          : {
              kind: 'vending-key' as const,
              id: `id-${label}`,
              label,
              state: 'active',
              ok: true,
              problems: [],
            },
      ),
      unexpected: [],
      summary: { referenced: 2, verified: 2 - failed.length, failed: failed.length, unexpected: 0 },
    });
    state.applyCustodyReport(report(['vk-2']));
    expect(() => state.assertCustodyVerified('vk-1', 'meter.krn')).not.toThrow();
    let refused: unknown;
    try {
      state.assertCustodyVerified('vk-2', 'target.krn');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: ErrorCode.KEY_CUSTODY_FAILED,
      details: {
        field: 'target.krn',
        vendingKeyId: 'id-vk-2',
        failure: 'MISSING',
        problems: ['no key labelled vk-2 in the token'],
      },
    });
    state.applyCustodyReport(report([]));
    expect(() => state.assertCustodyVerified('vk-2', 'meter.krn')).not.toThrow();
  });
});
