import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { assertSamePayload, parseIdempotencyKey, requestFingerprint } from './idempotency';

describe('Idempotency-Key', () => {
  it('accepts visible ASCII up to 128 characters and nothing else', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('order-42:retry')).toBe('order-42:retry');
    expect(parseIdempotencyKey('x'.repeat(128))).toHaveLength(128);
    for (const bad of ['', 'has space', 'x'.repeat(129), 'é', ['a', 'b']]) {
      let caught: unknown;
      try {
        parseIdempotencyKey(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect((caught as DomainError).code).toBe(ErrorCode.VALIDATION_FAILED);
      expect((caught as DomainError).details).toEqual({
        fields: [{ field: 'Idempotency-Key', message: expect.any(String) }],
      });
    }
  });

  it('fingerprints the operation and the body, not key order or absent fields', () => {
    const a = requestFingerprint('credit', { meter: { iin: '1', drn: '2' }, amount: '5' });
    const b = requestFingerprint('credit', {
      amount: '5',
      meter: { drn: '2', iin: '1' },
      rnd: undefined,
    });
    expect(a).toBe(b);
    expect(requestFingerprint('credit', { amount: '6', meter: { iin: '1', drn: '2' } })).not.toBe(
      a,
    );
    expect(
      requestFingerprint('management', { meter: { iin: '1', drn: '2' }, amount: '5' }),
    ).not.toBe(a);
  });

  it('fingerprints a DTO instance as its JSON, with the value stored by earlier versions', () => {
    class Meter {
      iin = '1';
      drn = '2';
      keyType?: number = undefined;
    }
    class Credit {
      meter = new Meter();
      amount = '5';
    }
    const plain = requestFingerprint('credit', { meter: { iin: '1', drn: '2' }, amount: '5' });
    expect(requestFingerprint('credit', new Credit())).toBe(plain);
    expect(plain).toBe('e7c00378947fa52699c98eb6117e292088638b343f5b6a7b38707929eabbd7db');
  });

  it('replays the same payload and refuses another with 409', () => {
    expect(() => assertSamePayload({ requestHash: 'h1' }, 'h1', 'k')).not.toThrow();
    expect(() => assertSamePayload({ requestHash: 'h1' }, 'h2', 'k')).toThrow(
      expect.objectContaining({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED }),
    );
  });
});
