import { DomainError } from './domain-error';
import { decodeCursor, encodeCursor } from './paging';

describe('page cursors', () => {
  it('round-trip the key values of a row, opaque and URL-safe', () => {
    const values = ['2026-01-01T00:00:00.000Z', 'a/b+c=d "quoted"'];
    const cursor = encodeCursor(values);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual(values);
  });

  it('refuse anything else with 400 naming cursor', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const [cursor, arity] of [
      ['%%%', 1],
      [b64('not json'), 1],
      [b64('{"sgc":"400001"}'), 1],
      [encodeCursor(['a', 'b']), 1],
      [b64('[1]'), 1],
      [encodeCursor(['x'.repeat(129)]), 1],
    ] as const) {
      const error = (() => {
        try {
          decodeCursor(cursor, arity);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toEqual({
        fields: [expect.objectContaining({ field: 'cursor' })],
      });
    }
  });
});
