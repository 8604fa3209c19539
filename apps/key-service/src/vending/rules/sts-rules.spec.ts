import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import {
  assertAmountWithinLimit,
  assertEaAllowed,
  assertKenCoversTid,
  assertKeyParameters,
  assertKeyUsable,
  assertSameCluster,
  assertSubclassAllowed,
  assertSupplyGroupActive,
  effectiveKeyState,
  type KeyForRules,
} from './sts-rules';

const NOW = '2025-06-01T12:00:00.000Z';
const BEFORE_NOW = '2025-06-01T11:00:00.000Z';

const key = (over: Partial<KeyForRules> = {}): KeyForRules => ({
  id: 'k1',
  sgc: '600727',
  krn: 1,
  keyType: 'VUDK',
  allowedEas: ['07', '11'],
  baseDate: 2014,
  ken: 255,
  state: 'active',
  activateAt: null,
  issueUntil: null,
  expiresAt: null,
  supersedeAt: null,
  ...over,
});

function codeOf(fn: () => void): ErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('assertKeyUsable', () => {
  it('accepts an active key inside its window for every purpose', () => {
    const k = key({
      activateAt: '2025-01-01T00:00:00.000Z',
      issueUntil: '2026-01-01T00:00:00.000Z',
    });
    for (const p of ['vend', 'key-change-from', 'key-change-to'] as const) {
      expect(codeOf(() => assertKeyUsable(k, p, NOW))).toBe('none');
    }
  });

  it.each([
    ['suspended', 'vend', ErrorCode.STS_KEY_NOT_ACTIVE],
    ['superseded', 'vend', ErrorCode.STS_KEY_NOT_ACTIVE],
    ['superseded', 'key-change-to', ErrorCode.STS_KEY_NOT_ACTIVE],
    ['superseded', 'key-change-from', 'none'],
    ['suspended', 'key-change-from', ErrorCode.STS_KEY_NOT_ACTIVE],
    ['pending-approval', 'vend', ErrorCode.STS_KEY_NOT_ACTIVE],
    ['destroyed', 'key-change-from', ErrorCode.STS_KEY_NOT_ACTIVE],
  ] as const)('state %s for %s -> %s', (state, purpose, expected) => {
    expect(codeOf(() => assertKeyUsable(key({ state }), purpose, NOW))).toBe(expected);
  });

  it('refuses before activation, after issue-until and after expiry', () => {
    expect(
      codeOf(() => assertKeyUsable(key({ activateAt: '2025-06-01T12:00:00.001Z' }), 'vend', NOW)),
    ).toBe(ErrorCode.STS_KEY_NOT_YET_ACTIVE);
    expect(codeOf(() => assertKeyUsable(key({ issueUntil: NOW }), 'vend', NOW))).toBe(
      ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
    );
    expect(codeOf(() => assertKeyUsable(key({ expiresAt: NOW }), 'key-change-from', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
  });

  it('lets a key past issue-until still move its meters away (key-change-from)', () => {
    expect(codeOf(() => assertKeyUsable(key({ issueUntil: NOW }), 'key-change-from', NOW))).toBe(
      'none',
    );
  });

  it('lets a superseded key with an issue-until vend beside its successor until then', () => {
    const until = '2025-06-01T12:00:00.001Z';
    const old = key({ state: 'superseded', issueUntil: until });
    expect(codeOf(() => assertKeyUsable(old, 'vend', NOW))).toBe('none');
    expect(codeOf(() => assertKeyUsable(old, 'key-change-to', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
    expect(codeOf(() => assertKeyUsable(old, 'vend', until))).toBe(
      ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
    );
    const due = key({ supersedeAt: BEFORE_NOW, issueUntil: until });
    expect(codeOf(() => assertKeyUsable(due, 'vend', NOW))).toBe('none');
    expect(
      codeOf(() => assertKeyUsable(key({ state: 'suspended', issueUntil: until }), 'vend', NOW)),
    ).toBe(ErrorCode.STS_KEY_NOT_ACTIVE);
  });

  it('keeps VDDK keys to key-change sections', () => {
    const vddk = key({ keyType: 'VDDK' });
    expect(codeOf(() => assertKeyUsable(vddk, 'vend', NOW))).toBe(
      ErrorCode.STS_VDDK_KEY_CHANGE_ONLY,
    );
    expect(codeOf(() => assertKeyUsable(vddk, 'key-change-to', NOW))).toBe(
      ErrorCode.STS_VDDK_KEY_CHANGE_ONLY,
    );
    expect(codeOf(() => assertKeyUsable(vddk, 'key-change-from', NOW))).toBe('none');
  });
});

describe('scheduled supersession (supersedeAt), before the scheduler sweep has run', () => {
  const BEFORE = '2025-06-01T11:59:59.999Z';

  it('counts an active key as superseded from its supersedeAt on', () => {
    expect(effectiveKeyState(key({ supersedeAt: NOW }), BEFORE)).toBe('active');
    expect(effectiveKeyState(key({ supersedeAt: NOW }), NOW)).toBe('superseded');
    expect(effectiveKeyState(key({ supersedeAt: BEFORE }), NOW)).toBe('superseded');
    expect(effectiveKeyState(key(), NOW)).toBe('active');
    // Only an active key is moved: a suspended one stays suspended (the sweep does the same).
    expect(effectiveKeyState(key({ state: 'suspended', supersedeAt: BEFORE }), NOW)).toBe(
      'suspended',
    );
  });

  it('stops vending (tokens and derived keys) at supersedeAt, not at the next sweep', () => {
    expect(codeOf(() => assertKeyUsable(key({ supersedeAt: NOW }), 'vend', BEFORE))).toBe('none');
    expect(codeOf(() => assertKeyUsable(key({ supersedeAt: NOW }), 'vend', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
    expect(codeOf(() => assertKeyUsable(key({ supersedeAt: BEFORE }), 'vend', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
  });

  it('says when the key was superseded', () => {
    try {
      assertKeyUsable(key({ supersedeAt: BEFORE }), 'vend', NOW);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toMatchObject({
        state: 'superseded',
        supersedeAt: BEFORE,
      });
    }
  });

  it('refuses it as the target of a key change, and still lets its meters move off it', () => {
    const due = key({ supersedeAt: BEFORE });
    expect(codeOf(() => assertKeyUsable(due, 'key-change-to', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
    // A superseded key remains the current key of the meters not yet moved (STS-SPEC §13).
    expect(codeOf(() => assertKeyUsable(due, 'key-change-from', NOW))).toBe('none');
    expect(codeOf(() => assertKeyUsable(key({ supersedeAt: NOW }), 'key-change-to', BEFORE))).toBe(
      'none',
    );
  });
});

describe('supply group state', () => {
  it('lets only an active supply group issue', () => {
    expect(codeOf(() => assertSupplyGroupActive('600727', 'active', 'meter.sgc'))).toBe('none');
    for (const state of ['suspended', 'retired'] as const) {
      expect(codeOf(() => assertSupplyGroupActive('600727', state, 'meter.sgc'))).toBe(
        ErrorCode.STS_SUPPLY_GROUP_NOT_ACTIVE,
      );
    }
  });

  it('names the group, its state and the field', () => {
    try {
      assertSupplyGroupActive('600727', 'suspended', 'target.sgc');
      throw new Error('not refused');
    } catch (error) {
      expect((error as DomainError).details).toEqual({
        field: 'target.sgc',
        sgc: '600727',
        state: 'suspended',
      });
    }
  });
});

describe('key parameters', () => {
  it('checks the EA against the allowed list', () => {
    expect(codeOf(() => assertEaAllowed(key(), '07', 'meter.ea'))).toBe('none');
    expect(codeOf(() => assertEaAllowed(key(), '09', 'meter.ea'))).toBe(
      ErrorCode.STS_EA_NOT_ALLOWED,
    );
  });

  it('checks a stated KT and base date against the key', () => {
    expect(codeOf(() => assertKeyParameters(key(), { keyType: 2, baseDate: 2014 }, 'meter'))).toBe(
      'none',
    );
    expect(codeOf(() => assertKeyParameters(key(), {}, 'meter'))).toBe('none');
    expect(codeOf(() => assertKeyParameters(key(), { keyType: 3 }, 'meter'))).toBe(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
    );
    expect(codeOf(() => assertKeyParameters(key(), { baseDate: 1993 }, 'meter'))).toBe(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
    );
  });
});

describe('client profile rules', () => {
  it('allows only listed subclasses', () => {
    expect(codeOf(() => assertSubclassAllowed([0, 4], 'credit', 4))).toBe('none');
    expect(codeOf(() => assertSubclassAllowed([0, 4], 'credit', 1))).toBe(
      ErrorCode.STS_SUBCLASS_NOT_ALLOWED,
    );
    expect(codeOf(() => assertSubclassAllowed([], 'test', 0))).toBe(
      ErrorCode.STS_SUBCLASS_NOT_ALLOWED,
    );
  });

  it('compares amounts exactly against the unit or currency limit', () => {
    const limits = { maxUnitAmount: '100.5', maxCurrencyAmount: '20.00001' };
    expect(codeOf(() => assertAmountWithinLimit(0, '100.5', limits))).toBe('none');
    expect(codeOf(() => assertAmountWithinLimit(3, '100.6', limits))).toBe(
      ErrorCode.STS_AMOUNT_LIMIT_EXCEEDED,
    );
    expect(codeOf(() => assertAmountWithinLimit(4, '20.00001', limits))).toBe('none');
    expect(codeOf(() => assertAmountWithinLimit(7, '20.00002', limits))).toBe(
      ErrorCode.STS_AMOUNT_LIMIT_EXCEEDED,
    );
    expect(
      codeOf(() =>
        assertAmountWithinLimit(0, '999999', { maxUnitAmount: null, maxCurrencyAmount: '1' }),
      ),
    ).toBe('none');
  });
});

describe('KEN and clusters', () => {
  it('refuses a TID past the KEN as STS_KEY_EXPIRED (STS-SPEC §6 cases for KEN 85)', () => {
    const k = key({ ken: 85 });
    expect(codeOf(() => assertKenCoversTid(k, 4863485))).toBe('none');
    expect(codeOf(() => assertKenCoversTid(k, 5916090))).toBe(ErrorCode.STS_KEY_EXPIRED);
    expect(codeOf(() => assertKenCoversTid(k, 85 * 65536 + 65535))).toBe('none');
    expect(codeOf(() => assertKenCoversTid(k, 86 * 65536))).toBe(ErrorCode.STS_KEY_EXPIRED);
  });

  it('allows SGC moves only inside one named cluster', () => {
    expect(
      codeOf(() => assertSameCluster({ sgc: '1', cluster: null }, { sgc: '1', cluster: null })),
    ).toBe('none');
    expect(
      codeOf(() => assertSameCluster({ sgc: '1', cluster: 'a' }, { sgc: '2', cluster: 'a' })),
    ).toBe('none');
    expect(
      codeOf(() => assertSameCluster({ sgc: '1', cluster: 'a' }, { sgc: '2', cluster: 'b' })),
    ).toBe(ErrorCode.STS_CROSS_CLUSTER);
    expect(
      codeOf(() => assertSameCluster({ sgc: '1', cluster: null }, { sgc: '2', cluster: null })),
    ).toBe(ErrorCode.STS_CROSS_CLUSTER);
  });
});

describe('time window boundaries (times compared as ISO-8601 UTC text)', () => {
  const AFTER = '2025-06-01T12:00:00.001Z';
  const BEFORE = '2025-06-01T11:59:59.999Z';

  it('a key is usable up to, not at, its expiry, for every purpose', () => {
    for (const p of ['vend', 'key-change-from', 'key-change-to'] as const) {
      expect(codeOf(() => assertKeyUsable(key({ expiresAt: AFTER }), p, NOW))).toBe('none');
      expect(codeOf(() => assertKeyUsable(key({ expiresAt: NOW }), p, NOW))).toBe(
        ErrorCode.STS_KEY_NOT_ACTIVE,
      );
      expect(codeOf(() => assertKeyUsable(key({ expiresAt: BEFORE }), p, NOW))).toBe(
        ErrorCode.STS_KEY_NOT_ACTIVE,
      );
    }
  });

  it('a key is usable from exactly its activation time, for every purpose', () => {
    for (const p of ['vend', 'key-change-from', 'key-change-to'] as const) {
      expect(codeOf(() => assertKeyUsable(key({ activateAt: NOW }), p, NOW))).toBe('none');
      expect(codeOf(() => assertKeyUsable(key({ activateAt: BEFORE }), p, NOW))).toBe('none');
      expect(codeOf(() => assertKeyUsable(key({ activateAt: AFTER }), p, NOW))).toBe(
        ErrorCode.STS_KEY_NOT_YET_ACTIVE,
      );
    }
  });

  it('issues up to, not at, issue-until', () => {
    for (const p of ['vend', 'key-change-to'] as const) {
      expect(codeOf(() => assertKeyUsable(key({ issueUntil: AFTER }), p, NOW))).toBe('none');
      expect(codeOf(() => assertKeyUsable(key({ issueUntil: BEFORE }), p, NOW))).toBe(
        ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
      );
    }
  });

  it('reports an expired key with its expiry time, and a not-yet-active one with its start', () => {
    expect(() => assertKeyUsable(key({ expiresAt: BEFORE }), 'vend', NOW)).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_KEY_NOT_ACTIVE,
        details: { sgc: '600727', krn: 1, vendingKeyId: 'k1', expiresAt: BEFORE },
      }),
    );
    expect(() => assertKeyUsable(key({ activateAt: AFTER }), 'vend', NOW)).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_KEY_NOT_YET_ACTIVE,
        details: { sgc: '600727', krn: 1, vendingKeyId: 'k1', activateAt: AFTER },
      }),
    );
    expect(() => assertKeyUsable(key({ issueUntil: BEFORE }), 'vend', NOW)).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
        details: { sgc: '600727', krn: 1, vendingKeyId: 'k1', issueUntil: BEFORE },
      }),
    );
  });

  it('reports a key in a stored non-active state without a supersession time', () => {
    expect(() =>
      assertKeyUsable(key({ state: 'suspended', supersedeAt: AFTER }), 'vend', NOW),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_KEY_NOT_ACTIVE,
        details: { sgc: '600727', krn: 1, vendingKeyId: 'k1', state: 'suspended' },
      }),
    );
  });

  it('checks the state before the times: a destroyed key is not-active, not not-yet-active', () => {
    const k = key({ state: 'destroyed', activateAt: AFTER, issueUntil: BEFORE });
    expect(codeOf(() => assertKeyUsable(k, 'key-change-from', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
  });
});

describe('refusal details', () => {
  it('names the key, the field and what the key allows', () => {
    expect(() => assertEaAllowed(key(), '09', 'meter.ea')).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_EA_NOT_ALLOWED,
        details: {
          sgc: '600727',
          krn: 1,
          vendingKeyId: 'k1',
          field: 'meter.ea',
          allowedEas: ['07', '11'],
        },
      }),
    );
    expect(() => assertKeyParameters(key(), { keyType: 1 }, 'target')).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ field: 'target.keyType', expected: 2 }),
      }),
    );
    expect(() => assertKeyParameters(key(), { baseDate: 1993 }, 'target')).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ field: 'target.baseDate', expected: 2014 }),
      }),
    );
    expect(() => assertSubclassAllowed([0], 'management', 5)).toThrow(
      expect.objectContaining({
        details: { field: 'subclass', kind: 'management', subclass: 5, allowed: [0] },
      }),
    );
    expect(() =>
      assertSameCluster({ sgc: '1', cluster: 'a' }, { sgc: '2', cluster: null }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_CROSS_CLUSTER,
        details: { field: 'target.sgc', fromCluster: 'a', toCluster: null },
      }),
    );
    expect(
      codeOf(() => assertSameCluster({ sgc: '1', cluster: null }, { sgc: '2', cluster: 'a' })),
    ).toBe(ErrorCode.STS_CROSS_CLUSTER);
  });

  it('uses the currency limit from subclass 4 on, and the unit limit below it', () => {
    const limits = { maxUnitAmount: '10', maxCurrencyAmount: '1000' };
    expect(codeOf(() => assertAmountWithinLimit(3, '11', limits))).toBe(
      ErrorCode.STS_AMOUNT_LIMIT_EXCEEDED,
    );
    expect(codeOf(() => assertAmountWithinLimit(4, '11', limits))).toBe('none');
    expect(
      codeOf(() => assertAmountWithinLimit(4, '10.00001', { ...limits, maxCurrencyAmount: '10' })),
    ).toBe(ErrorCode.STS_AMOUNT_LIMIT_EXCEEDED);
    expect(() => assertAmountWithinLimit(4, '1000.5', limits)).toThrow(
      expect.objectContaining({ details: { field: 'amount', limit: '1000' } }),
    );
  });
});

describe('KEN errors', () => {
  it('reports the TID and KEN of an expired key', () => {
    expect(() => assertKenCoversTid(key({ ken: 0 }), 65536)).toThrow(
      expect.objectContaining({
        code: ErrorCode.STS_KEY_EXPIRED,
        details: { sgc: '600727', krn: 1, vendingKeyId: 'k1', tid: 65536, ken: 0 },
      }),
    );
  });

  it('lets an invalid TID through as what it is, not as an expired key', () => {
    for (const tid of [-1, 0x1000000, 1.5]) {
      let thrown: unknown;
      try {
        assertKenCoversTid(key({ ken: 0 }), tid);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).not.toBeInstanceOf(DomainError);
      expect(thrown).toEqual(expect.objectContaining({ code: 'TID_OUT_OF_RANGE', field: 'tid' }));
    }
  });
});

describe('what a refusal names', () => {
  function errorOf(fn: () => void): DomainError {
    try {
      fn();
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }
  const ref = { sgc: '600727', krn: 1, vendingKeyId: 'k1' };

  it('names the state, and the supersession time only when the schedule made it', () => {
    expect(
      errorOf(() => assertKeyUsable(key({ state: 'suspended' }), 'vend', NOW)).details,
    ).toEqual({ ...ref, state: 'suspended' });
    const due = key({ supersedeAt: '2025-06-01T11:00:00.000Z' });
    expect(errorOf(() => assertKeyUsable(due, 'vend', NOW)).details).toEqual({
      ...ref,
      state: 'superseded',
      supersedeAt: '2025-06-01T11:00:00.000Z',
    });
  });

  it('names the key type of a VDDK asked to vend', () => {
    const vddk = key({ keyType: 'VDDK' });
    expect(errorOf(() => assertKeyUsable(vddk, 'vend', NOW))).toMatchObject({
      code: ErrorCode.STS_VDDK_KEY_CHANGE_ONLY,
      details: { ...ref, keyType: 'VDDK' },
    });
  });

  it('takes each time as reached at its exact instant', () => {
    expect(effectiveKeyState(key({ supersedeAt: NOW }), NOW)).toBe('superseded');
    expect(codeOf(() => assertKeyUsable(key({ activateAt: NOW }), 'vend', NOW))).toBe('none');
    expect(codeOf(() => assertKeyUsable(key({ expiresAt: NOW }), 'vend', NOW))).toBe(
      ErrorCode.STS_KEY_NOT_ACTIVE,
    );
    expect(codeOf(() => assertKeyUsable(key({ issueUntil: NOW }), 'vend', NOW))).toBe(
      ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED,
    );
  });

  it('names the amount or the configured limit that is not a decimal', () => {
    const limits = { maxUnitAmount: 'ten', maxCurrencyAmount: null };
    expect(() => assertAmountWithinLimit(0, '1', limits)).toThrow(
      expect.objectContaining({ field: 'limit' }),
    );
    expect(() =>
      assertAmountWithinLimit(0, 'x', { maxUnitAmount: '5', maxCurrencyAmount: null }),
    ).toThrow(expect.objectContaining({ field: 'amount' }));
  });
});
