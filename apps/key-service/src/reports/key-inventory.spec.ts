import type { VendingKey } from '../vending-keys/vending-key.entity';
import { csvField, inventoryCsv, inventoryRow } from './key-inventory';

const key = {
  id: 'k1',
  sgc: '600727',
  krn: 2,
  keyType: 'VUDK',
  dkga: '02',
  state: 'active',
  kcv: 'a1b2c3',
  loadMethod: 'ceremony',
  createdAt: '2026-12-01T00:00:00.000Z',
  activateAt: '2027-01-01T00:00:00.000Z',
  issueUntil: null,
  expiresAt: null,
  destroyedAt: null,
  createdBy: 'p-officer',
} as unknown as VendingKey;

describe('key inventory', () => {
  const people = {
    custodians: new Map([['k1', ['p-c1', 'p-c2']]]),
    approvers: new Map([['k1', ['p-o2']]]),
    names: new Map([
      ['p-officer', 'officer-a'],
      ['p-c1', 'custodian-1'],
      ['p-o2', 'officer-b'],
    ]),
  };

  it('names the people who handled a key, falling back to the id of one unknown', () => {
    const row = inventoryRow(key, people);
    expect(row).toMatchObject({
      sgc: '600727',
      krn: 2,
      kcv: 'a1b2c3',
      requestedBy: 'officer-a',
      custodians: ['custodian-1', 'p-c2'],
      approvers: ['officer-b'],
    });
    const none = inventoryRow({ ...key, id: 'k2' }, people);
    expect(none.custodians).toEqual([]);
    expect(none.approvers).toEqual([]);
  });

  it('writes CSV fields quoted where needed and never as a spreadsheet formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(null)).toBe('');
    expect(csvField(['a', 'b'])).toBe('a; b');
    expect(csvField(7)).toBe('7');
  });

  it('has a header line and one CRLF-ended line per key', () => {
    const csv = inventoryCsv([inventoryRow(key, people)]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'sgc,krn,keyType,dkga,state,kcv,loadMethod,createdAt,activateAt,issueUntil,expiresAt,destroyedAt,requestedBy,custodians,approvers,id',
    );
    expect(lines[1]).toBe(
      '600727,2,VUDK,02,active,a1b2c3,ceremony,2026-12-01T00:00:00.000Z,2027-01-01T00:00:00.000Z,,,,officer-a,custodian-1; p-c2,officer-b,k1',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });
});
