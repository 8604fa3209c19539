import { dueKeyChange, type MeterKeyState, type Revision } from './key-change-due';

const NOW = '2025-06-01T12:00:00.000Z';
const EARLIER = '2025-01-01T00:00:00.000Z';
const LATER = '2025-12-01T00:00:00.000Z';

const revision = (over: Partial<Revision> = {}): Revision => ({
  id: 'k1',
  supplyGroupId: 'g1',
  sgc: '600727',
  krn: 1,
  keyType: 'VUDK',
  allowedEas: ['07', '11'],
  baseDate: 1993,
  ken: 255,
  state: 'active',
  activateAt: null,
  issueUntil: null,
  expiresAt: null,
  supersedeAt: null,
  ...over,
});

const KRN1 = revision({ state: 'superseded', issueUntil: LATER });
const KRN2 = revision({ id: 'k2', krn: 2, baseDate: 2014, activateAt: EARLIER });

const meter = (over: Partial<MeterKeyState> = {}): MeterKeyState => ({
  key: KRN1,
  tariffIndex: '01',
  ea: '07',
  refusedChange: null,
  ...over,
});

describe('dueKeyChange', () => {
  it('moves a meter on a superseded revision to its group newest revision, with rollover', () => {
    expect(dueKeyChange(meter(), [KRN1, KRN2], NOW)).toEqual({
      to: KRN2,
      tariffIndex: '01',
      reason: 'superseded',
      ro: 1,
      reprintOf: null,
    });
  });

  it('keeps the TID memory (RO 0) when the base date stays', () => {
    const same = revision({ id: 'k2', krn: 2, baseDate: 1993, activateAt: EARLIER });
    expect(dueKeyChange(meter(), [KRN1, same], NOW)?.ro).toBe(0);
  });

  it('counts a due scheduled supersession as superseded', () => {
    const scheduled = revision({ supersedeAt: EARLIER });
    expect(dueKeyChange(meter({ key: scheduled }), [scheduled, KRN2], NOW)?.to).toBe(KRN2);
    const notYet = revision({ supersedeAt: LATER });
    expect(dueKeyChange(meter({ key: notYet }), [notYet, KRN2], NOW)).toBeNull();
  });

  it('is not due while the meter key is active', () => {
    expect(dueKeyChange(meter({ key: revision() }), [revision(), KRN2], NOW)).toBeNull();
  });

  it('picks the most recently activated target, skipping those a key change may not move to', () => {
    const krn3 = revision({
      id: 'k3',
      krn: 3,
      baseDate: 2014,
      activateAt: '2025-03-01T00:00:00.000Z',
    });
    const future = revision({ id: 'k4', krn: 4, baseDate: 2014, activateAt: LATER });
    const otherGroup = revision({ id: 'k5', krn: 5, supplyGroupId: 'g2', activateAt: NOW });
    const noEa = revision({ id: 'k6', krn: 6, allowedEas: ['11'], activateAt: NOW });
    const vddk = revision({ id: 'k7', krn: 7, keyType: 'VDDK', activateAt: NOW });
    const older = revision({ id: 'k8', krn: 8, baseDate: 1993 - 1, activateAt: NOW });
    const all = [KRN1, KRN2, krn3, future, otherGroup, noEa, vddk, older];
    expect(dueKeyChange(meter(), all, NOW)?.to).toBe(krn3);
    expect(dueKeyChange(meter(), [krn3, KRN2].reverse(), NOW)?.to).toBe(krn3);
  });

  it('breaks an activation tie by KRN', () => {
    const a = revision({ id: 'a', krn: 2, activateAt: EARLIER });
    const b = revision({ id: 'b', krn: 3, activateAt: EARLIER });
    expect(dueKeyChange(meter(), [b, a], NOW)?.to).toBe(b);
    expect(dueKeyChange(meter(), [a, b], NOW)?.to).toBe(b);
  });

  it('is not due when no revision can be moved to', () => {
    expect(dueKeyChange(meter(), [KRN1], NOW)).toBeNull();
    const suspended = revision({ id: 'k2', krn: 2, state: 'suspended' });
    expect(dueKeyChange(meter(), [KRN1, suspended], NOW)).toBeNull();
  });

  it('is not due when the meter key can no longer encrypt a key change (suspended, expired)', () => {
    const suspended = revision({ state: 'suspended' });
    expect(dueKeyChange(meter({ key: suspended }), [suspended, KRN2], NOW)).toBeNull();
    const expired = revision({ state: 'superseded', expiresAt: NOW });
    expect(dueKeyChange(meter({ key: expired }), [expired, KRN2], NOW)).toBeNull();
  });

  it('re-issues a refused set to the same target, naming the issuance to reprint', () => {
    const refused = meter({
      key: revision(),
      refusedChange: { changeId: 'iss-1', to: KRN2, tariffIndex: '02' },
    });
    expect(dueKeyChange(refused, [revision(), KRN2], NOW)).toEqual({
      to: KRN2,
      tariffIndex: '02',
      reason: 'refused-change',
      ro: 1,
      reprintOf: 'iss-1',
    });
  });

  it('falls back to the revision rules when a refused set can no longer be made', () => {
    const gone = revision({ id: 'k2', krn: 2, state: 'suspended' });
    const refused = meter({ refusedChange: { changeId: 'iss-1', to: gone, tariffIndex: '01' } });
    const krn3 = revision({ id: 'k3', krn: 3, baseDate: 2014, activateAt: EARLIER });
    expect(dueKeyChange(refused, [KRN1, gone, krn3], NOW)).toMatchObject({
      to: krn3,
      reason: 'superseded',
      reprintOf: null,
    });
    const back = meter({ refusedChange: { changeId: 'iss-1', to: KRN1, tariffIndex: '01' } });
    expect(dueKeyChange(back, [KRN1], NOW)).toBeNull();
  });
});
