import {
  changeRefused,
  type HeldKey,
  keyChangeIssued,
  type MeterKeyFields,
  registered,
} from './meter-key-transitions';

const KRN1: HeldKey = {
  vendingKeyId: 'k1',
  sgc: '600727',
  krn: 1,
  keyType: 2,
  baseDate: 1993,
  tariffIndex: '01',
};
const KRN2: HeldKey = {
  vendingKeyId: 'k2',
  sgc: '600727',
  krn: 2,
  keyType: 2,
  baseDate: 2014,
  tariffIndex: '01',
};
const OTHER: HeldKey = {
  vendingKeyId: 'k9',
  sgc: '600728',
  krn: 1,
  keyType: 2,
  baseDate: 2014,
  tariffIndex: '03',
};
const AT = '2025-06-01T12:00:00.000Z';
const ctx = { ea: '07', recordedBy: 'p1', at: AT };

const moved = (): MeterKeyFields =>
  keyChangeIssued(KRN1, KRN2, { ...ctx, source: 'key-change', sourceId: 'iss-1' });

describe('meter key transitions', () => {
  it('a registration records the key and its source, with no open set', () => {
    expect(registered(null, KRN1, ctx)).toEqual({
      sgc: '600727',
      krn: 1,
      tariffIndex: '01',
      keyType: 2,
      ea: '07',
      baseDate: 1993,
      vendingKeyId: 'k1',
      source: 'registered',
      sourceId: null,
      recordedBy: 'p1',
      updatedAt: AT,
      changeId: null,
      changeState: null,
      changeFromKeyId: null,
      changeFromTi: null,
      changeToKeyId: null,
      changeToTi: null,
    });
  });

  it('an issued set moves the meter to the new key and stays open', () => {
    expect(moved()).toMatchObject({
      krn: 2,
      baseDate: 2014,
      vendingKeyId: 'k2',
      source: 'key-change',
      sourceId: 'iss-1',
      changeId: 'iss-1',
      changeState: 'issued',
      changeFromKeyId: 'k1',
      changeFromTi: '01',
      changeToKeyId: 'k2',
      changeToTi: '01',
    });
  });

  it('a meter stated on the target confirms the set; on the old key refuses it', () => {
    expect(registered(moved(), KRN2, ctx)).toMatchObject({
      vendingKeyId: 'k2',
      source: 'registered',
      changeId: 'iss-1',
      changeState: 'confirmed',
    });
    expect(registered(moved(), KRN1, ctx)).toMatchObject({
      vendingKeyId: 'k1',
      changeId: 'iss-1',
      changeState: 'refused',
      changeToKeyId: 'k2',
    });
  });

  it('a meter stated on the old revision with another tariff index settles nothing', () => {
    expect(registered(moved(), { ...KRN1, tariffIndex: '02' }, ctx)).toMatchObject({
      changeId: null,
      changeState: null,
    });
    expect(registered(moved(), OTHER, ctx)).toMatchObject({ changeId: null, vendingKeyId: 'k9' });
  });

  it('a reported refusal moves the meter back and keeps the set for the next purchase', () => {
    expect(changeRefused(moved(), KRN1, { ...ctx, recordedBy: 'p2' })).toMatchObject({
      sgc: '600727',
      krn: 1,
      baseDate: 1993,
      vendingKeyId: 'k1',
      source: 'refused',
      sourceId: 'iss-1',
      recordedBy: 'p2',
      changeId: 'iss-1',
      changeState: 'refused',
      changeFromKeyId: 'k1',
      changeToKeyId: 'k2',
    });
  });
});
