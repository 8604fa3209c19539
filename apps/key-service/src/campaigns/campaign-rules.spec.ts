import type { BaseDate } from '@sts/core';
import { DomainError } from '../common/domain-error';
import type { SupplyGroup } from '../supply-groups/supply-group.entity';
import type { VendingKey } from '../vending-keys/vending-key.entity';
import { checkPlan, type PlanSide } from './campaign-rules';

const NOW = '2025-01-01T00:00:00.000Z';

function group(sgc: string, cluster: string | null): SupplyGroup {
  return { id: `g-${sgc}`, sgc, name: sgc, cluster, state: 'active' } as SupplyGroup;
}

function key(sgc: string, krn: number, over: Partial<VendingKey> = {}): VendingKey {
  return {
    id: `k-${sgc}-${krn}`,
    sgc,
    krn,
    keyType: 'VUDK',
    dkga: '02',
    allowedEas: ['07'],
    baseDate: 1993,
    state: 'active',
    activateAt: null,
    issueUntil: null,
    supersedeAt: null,
    ...over,
  } as VendingKey;
}

const side = (sgc: string, krn: number, baseDate: BaseDate = 1993): PlanSide => ({
  sgc,
  krn,
  tariffIndex: '01',
  baseDate,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return `${error.code} ${String(error.details?.field)}`;
    throw error;
  }
}

describe('checkPlan', () => {
  const g = group('123456', 'east');
  const facts = (from: VendingKey | undefined, to: VendingKey | undefined, toGroup = g) => ({
    from: { group: g, key: from },
    to: { group: toGroup, key: to },
  });

  it('accepts the next revision of the same group (old key superseded) and returns both keys', () => {
    const from = key('123456', 1, { state: 'superseded' });
    const to = key('123456', 2);
    expect(checkPlan(side('123456', 1), side('123456', 2), '07', facts(from, to), NOW)).toEqual({
      fromKey: from,
      toKey: to,
    });
    // KRN 9 wraps to 1.
    const nine = key('123456', 9);
    const one = key('123456', 1);
    expect(() =>
      checkPlan(side('123456', 9), side('123456', 1), '07', facts(nine, one), NOW),
    ).not.toThrow();
  });

  it('refuses each STS rule violation with its code and field', () => {
    const from = key('123456', 1);
    const to = key('123456', 2);
    const other = group('654321', 'west');
    const cases: [() => unknown, string][] = [
      [
        () => checkPlan(side('123456', 1), side('123456', 3), '07', facts(from, to), NOW),
        'KRN_NOT_NEXT to.krn',
      ],
      [
        () => checkPlan(side('123456', 1), side('123456', 2), '07', facts(undefined, to), NOW),
        'STS_KEY_NOT_ACTIVE from.krn',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('123456', 2),
            '07',
            facts(key('123456', 1, { state: 'suspended' }), to),
            NOW,
          ),
        'STS_KEY_NOT_ACTIVE from.krn',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('123456', 2),
            '07',
            facts(from, key('123456', 2, { state: 'pending-approval' })),
            NOW,
          ),
        'STS_KEY_NOT_ACTIVE to.krn',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('123456', 2),
            '07',
            facts(from, key('123456', 2, { activateAt: '2025-06-01T00:00:00.000Z' })),
            NOW,
          ),
        'STS_KEY_NOT_YET_ACTIVE to.krn',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('123456', 2),
            '07',
            facts(from, key('123456', 2, { issueUntil: '2024-06-01T00:00:00.000Z' })),
            NOW,
          ),
        'STS_KEY_ISSUE_PERIOD_ENDED to.krn',
      ],
      [
        () => checkPlan(side('123456', 1), side('123456', 2, 2014), '07', facts(from, to), NOW),
        'STS_KEY_PARAMETER_MISMATCH to.baseDate',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1, 2014),
            side('123456', 2, 1993),
            '07',
            facts(key('123456', 1, { baseDate: 2014 }), to),
            NOW,
          ),
        'STS_KEY_CHANGE_INVALID to.baseDate',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('123456', 2),
            '07',
            facts(from, key('123456', 2, { keyType: 'VDDK' })),
            NOW,
          ),
        'STS_KEY_CHANGE_INVALID to.krn',
      ],
      [
        () => checkPlan(side('123456', 1), side('123456', 2), '09', facts(from, to), NOW),
        'STS_EA_NOT_ALLOWED ea',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('654321', 1),
            '07',
            facts(from, key('654321', 1), other),
            NOW,
          ),
        'STS_CROSS_CLUSTER to.sgc',
      ],
      [
        () =>
          checkPlan(
            side('123456', 1),
            side('654321', 1),
            '07',
            {
              from: { group: group('123456', null), key: from },
              to: { group: group('654321', null), key: key('654321', 1) },
            },
            NOW,
          ),
        'STS_CROSS_CLUSTER to.sgc',
      ],
    ];
    expect(cases.map(([fn]) => codeOf(fn))).toEqual(cases.map(([, code]) => code));
  });

  it('refuses a plan from or to a supply group that is not active', () => {
    const from = key('123456', 1);
    const to = key('123456', 2);
    const suspended = { ...g, state: 'suspended' } as SupplyGroup;
    const retired = { ...group('654321', 'east'), state: 'retired' } as SupplyGroup;
    expect(
      codeOf(() =>
        checkPlan(
          side('123456', 1),
          side('123456', 2),
          '07',
          { from: { group: suspended, key: from }, to: { group: suspended, key: to } },
          NOW,
        ),
      ),
    ).toBe('STS_SUPPLY_GROUP_NOT_ACTIVE from.sgc');
    expect(
      codeOf(() =>
        checkPlan(
          side('123456', 1),
          side('654321', 1),
          '07',
          facts(from, key('654321', 1), retired),
          NOW,
        ),
      ),
    ).toBe('STS_SUPPLY_GROUP_NOT_ACTIVE to.sgc');
  });

  it('treats a target key whose scheduled supersession is due as superseded', () => {
    const from = key('123456', 1);
    const due = key('123456', 2, { supersedeAt: NOW });
    expect(
      codeOf(() => checkPlan(side('123456', 1), side('123456', 2), '07', facts(from, due), NOW)),
    ).toBe('STS_KEY_NOT_ACTIVE to.krn');
    const later = key('123456', 2, { supersedeAt: '2025-01-01T00:00:00.001Z' });
    expect(
      codeOf(() => checkPlan(side('123456', 1), side('123456', 2), '07', facts(from, later), NOW)),
    ).toBeUndefined();
    // The current key may be superseded, scheduled or not: that is how meters leave it.
    const fromDue = key('123456', 1, { supersedeAt: '2024-01-01T00:00:00.000Z' });
    expect(
      codeOf(() =>
        checkPlan(
          side('123456', 1),
          side('123456', 2),
          '07',
          facts(fromDue, key('123456', 2)),
          NOW,
        ),
      ),
    ).toBeUndefined();
  });

  it('accepts an SGC move inside one cluster with any target KRN', () => {
    const to = key('654321', 5);
    expect(() =>
      checkPlan(
        side('123456', 1),
        side('654321', 5),
        '07',
        facts(key('123456', 1), to, group('654321', 'east')),
        NOW,
      ),
    ).not.toThrow();
  });

  it('refuses an undefined DKGA / key type / EA combination (DKGA02 with EA11)', () => {
    const from = key('123456', 1, { allowedEas: ['07', '11'] });
    const to = key('123456', 2, { allowedEas: ['07', '11'] });
    expect(
      codeOf(() => checkPlan(side('123456', 1), side('123456', 2), '11', facts(from, to), NOW)),
    ).toBe('STS_UNSUPPORTED_COMBINATION ea');
  });
});
