import { describeApproval, ruleOf } from './approval-text';

const base = { subjectId: 'k2', quorum: 1 };

describe('approval requests in STS terms', () => {
  it('renders a rotation as the old and new KRN with the effective time', () => {
    expect(
      describeApproval({
        ...base,
        action: 'key.rotate',
        payload: {
          params: {
            sgc: '600727',
            krn: 2,
            kcv: 'a1b2c3',
            effectiveAt: '2027-01-01T00:00:00.000Z',
            supersedes: { vendingKeyId: 'k1', krn: 1 },
          },
        },
      }),
    ).toBe('Rotate SGC 600727 KRN 1 → 2 from 2027-01-01 00:00 UTC (KCV a1b2c3)');
  });

  it('renders an activation at once, a suspension with its reason', () => {
    expect(
      describeApproval({
        ...base,
        action: 'key.activate',
        payload: { params: { sgc: '600727', krn: 1, kcv: 'a1b2c3', effectiveAt: null } },
      }),
    ).toBe('Activate SGC 600727 KRN 1 at once (KCV a1b2c3)');
    expect(
      describeApproval({
        ...base,
        action: 'key.suspend',
        payload: { params: { sgc: '600727', krn: 1, kcv: null, reason: 'compromise' } },
      }),
    ).toBe('Suspend SGC 600727 KRN 1: “compromise”');
  });

  it('renders principal requests and names the rule', () => {
    const create = {
      ...base,
      action: 'principal.create',
      payload: { params: { name: 'alice', roles: ['security-officer', 'auditor'] } },
    };
    expect(describeApproval(create)).toBe(
      'Create principal alice with roles security-officer, auditor',
    );
    expect(ruleOf(create)).toMatch(/one other admin/);
    expect(ruleOf({ ...create, action: 'key.destroy', quorum: 2 })).toMatch(
      /2 other security officer/,
    );
  });

  it('falls back to the action and subject of an unknown action', () => {
    expect(describeApproval({ ...base, action: 'x.y', payload: {} })).toBe('x.y on k2');
  });
});
