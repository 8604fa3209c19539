import { ConfigError } from '../config/app-config';
import { loadVendingConfig } from './vending-config';

describe('loadVendingConfig', () => {
  it('has defaults that keep idempotency records at least 24 h', () => {
    expect(loadVendingConfig({})).toEqual({
      tidWindowMinutes: 50,
      idempotencyHours: 48,
      purgeSeconds: 3600,
      profileCacheMs: 1000,
    });
  });

  it('reads the variables', () => {
    expect(
      loadVendingConfig({
        STS_VENDING_TID_WINDOW_MINUTES: '300',
        STS_VENDING_IDEMPOTENCY_HOURS: '24',
      }),
    ).toMatchObject({ tidWindowMinutes: 300, idempotencyHours: 24 });
  });

  it('fails closed naming the variable', () => {
    let caught: unknown;
    try {
      loadVendingConfig({
        STS_VENDING_IDEMPOTENCY_HOURS: '23',
        STS_VENDING_TID_WINDOW_MINUTES: 'x',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect([...(caught as ConfigError).variables].sort()).toEqual([
      'STS_VENDING_IDEMPOTENCY_HOURS',
      'STS_VENDING_TID_WINDOW_MINUTES',
    ]);
  });
});
