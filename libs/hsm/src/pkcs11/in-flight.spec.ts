import { HsmError } from '../key-custody.port';
import { InFlightLimit } from './in-flight';

describe('InFlightLimit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('grants up to max places at once, then in arrival order as places free', async () => {
    const limit = new InFlightLimit(2);
    const first = await limit.acquire('a', 1000);
    await limit.acquire('b', 1000);
    expect(limit.inFlight).toBe(2);
    const order: string[] = [];
    const third = limit.acquire('c', 1000).then((release) => (order.push('c'), release));
    const fourth = limit.acquire('d', 1000).then((release) => (order.push('d'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one place only
    (await third)();
    await fourth;
    expect(order).toEqual(['c', 'd']);
    expect(limit.inFlight).toBe(2);
  });

  it('answers UNAVAILABLE to a caller that waited longer than its timeout', async () => {
    const limit = new InFlightLimit(1);
    const held = await limit.acquire('a', 1000);
    const waiting = limit.acquire('derive', 300);
    jest.advanceTimersByTime(300);
    await expect(waiting).rejects.toMatchObject({ name: 'HsmError', code: 'UNAVAILABLE' });
    await expect(waiting).rejects.toThrow(/derive: no token session free within 300 ms/);
    held();
    expect(limit.inFlight).toBe(0);
    const next = await limit.acquire('b', 1000);
    expect(limit.inFlight).toBe(1);
    next();
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) {
      expect(() => new InFlightLimit(max)).toThrow(HsmError);
    }
  });
});
