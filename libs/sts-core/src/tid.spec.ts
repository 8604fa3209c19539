import {
  assertKenCovers,
  checkTid,
  formatWallClock,
  isKeyExpired,
  lastTidForKen,
  MAX_TID,
  parseWallClock,
  tidFromDate,
  tidFromWallClock,
  tidToWallClock,
} from './tid';

describe('TID (STS-SPEC §6)', () => {
  it.each([
    ['2004-03-01T13:55', 1993, 5871715],
    ['2018-05-16T07:29', 1993, 13343489],
    ['2014-01-01T08:00', 2014, 480],
    ['2035-01-01T08:00', 2035, 480],
    ['2004-03-29T00:01', 1993, 5911201], // not the source's quirky 5911202
    ['2004-03-01 13:55:59', 1993, 5871715], // seconds truncated
  ] as const)('%s on base %i is %i', (at, base, tid) => {
    expect(tidFromWallClock(at, base)).toBe(tid);
  });

  it('last representable minute per base date', () => {
    expect(tidFromWallClock('2024-11-24T20:15', 1993)).toBe(0xffffff);
    expect(tidFromWallClock('2045-11-24T20:15', 2014)).toBe(0xffffff);
    expect(tidFromWallClock('2066-11-24T20:15', 2035)).toBe(0xffffff);
    expect(formatWallClock(tidToWallClock(0xffffff, 1993))).toBe('2024-11-24T20:15');
  });

  it.each([
    ['2024-11-24T20:16', 1993],
    ['1992-12-31T23:59', 1993],
    ['2013-12-31T23:59', 2014],
  ] as const)('%s is out of range for base %i', (at, base) => {
    expect(() => tidFromWallClock(at, base)).toThrow(
      expect.objectContaining({ code: 'TID_OUT_OF_RANGE', field: 'issuedAt' }),
    );
  });

  it.each([
    '2004-03-01T13:55Z',
    '2004-03-01T13:55+03:00',
    '2004-02-30T10:00',
    '2004-03-01',
    'yesterday',
    '2004-13-01T00:00',
    '2004-03-01T24:00',
    '2004-03-01T13:60',
    '2004-03-01T13:55:60', // no leap seconds: 13:55:59 is the last second of the minute
  ])('refuses wall-clock text %s', (text) => {
    expect(() => parseWallClock(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'issuedAt' }),
    );
  });

  it('refuses an unknown base date', () => {
    expect(() => tidFromWallClock('2004-03-01T13:55', 2000 as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'baseDate' }),
    );
  });

  it('reads a Date by its UTC fields, never the host zone', () => {
    expect(tidFromDate(new Date(Date.UTC(2004, 2, 1, 13, 55, 42)), 1993)).toBe(5871715);
  });

  it('round-trips every minute boundary it is given', () => {
    for (const tid of [0, 1, 59, 60, 1439, 1440, 5871715, 0xfffffe, 0xffffff]) {
      expect(tidFromWallClock(tidToWallClock(tid, 2014), 2014)).toBe(tid);
    }
  });
});

describe('KEN (STS-SPEC §6)', () => {
  it.each([
    [5916090, 85, true],
    [11130300, 85, true],
    [4863485, 85, false],
    [5636095, 85, false], // the last minute a meter accepts with KEN 85
    [5636096, 85, true],
    [0xffffff, 255, false],
  ])('TID %i with KEN %i expired: %s', (tid, ken, expired) => {
    expect(isKeyExpired(tid, ken)).toBe(expired);
  });

  it.each([
    ['2004-04-01T09:30', 5916090, 90, true],
    ['2014-03-01T09:00', 11130300, 169, true],
    ['2002-04-01T10:05', 4863485, 74, false],
  ] as const)(
    'KEN 85 table: %s is TID %i, TID >> 16 = %i, rejected: %s',
    (at, tid, top, expired) => {
      expect(tidFromWallClock(at, 1993)).toBe(tid);
      expect(tid >>> 16).toBe(top);
      expect(isKeyExpired(tid, 85)).toBe(expired);
    },
  );

  it('the stricter vendor rule TID > KEN x 65535 is not used: KEN 85 covers up to 2003-09-19 22:55', () => {
    expect(tidFromWallClock('2003-08-05T09:15', 1993)).toBe(5570475); // where the strict rule stops
    expect(isKeyExpired(5570476, 85)).toBe(false);
    expect(formatWallClock(tidToWallClock(lastTidForKen(85), 1993))).toBe('2003-09-19T22:55');
  });

  it('KEN 255 never expires', () => {
    for (const tid of [0, 0x7fffff, 0xffffff]) expect(isKeyExpired(tid, 255)).toBe(false);
  });

  it('vending refuses with KEY_EXPIRED, and names the last TID a KEN allows', () => {
    expect(() => assertKenCovers(5916090, 85)).toThrow(
      expect.objectContaining({ code: 'KEY_EXPIRED' }),
    );
    expect(() => assertKenCovers(4863485, 85)).not.toThrow();
    expect(lastTidForKen(85)).toBe(5636095);
    expect(lastTidForKen(255)).toBe(0xffffff);
  });
});

describe('wall-clock text, exactly', () => {
  const refused = (text: unknown) =>
    expect(() => parseWallClock(text, 'at')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'at' }),
    );

  it('refuses every field out of range, each on its own', () => {
    for (const text of [
      '0050-06-01T10:00', // Date.UTC would read year 50 as 1950
      '2025-13-01T10:00',
      '2025-00-01T10:00',
      '2025-02-29T10:00',
      '2025-04-31T10:00',
      '2025-06-00T10:00',
      '2025-06-01T24:00',
      '2025-06-01T10:60',
      '2025-06-01T10:00:60',
    ]) {
      refused(text);
    }
    expect(parseWallClock('2024-02-29T23:59:59.999')).toEqual({
      year: 2024,
      month: 2,
      day: 29,
      hour: 23,
      minute: 59,
    });
  });

  it('refuses what only prints as a time', () => {
    refused(['2025-06-01T10:00']);
    refused({ toString: () => '2025-06-01T10:00' });
  });

  it('names issuedAt for an instant before the base date when no field is given', () => {
    expect(() => tidFromDate(new Date('1990-01-01T00:00:00Z'), 1993)).toThrow(
      expect.objectContaining({ code: 'TID_OUT_OF_RANGE', field: 'issuedAt' }),
    );
  });

  it('takes a TID as an integer number only', () => {
    expect(checkTid(0)).toBe(0);
    expect(checkTid(MAX_TID)).toBe(MAX_TID);
    for (const tid of ['5', 2.5, -1, MAX_TID + 1, null, [5]]) {
      expect(() => checkTid(tid, 't')).toThrow(
        expect.objectContaining({ code: 'TID_OUT_OF_RANGE', field: 't' }),
      );
    }
  });
});
