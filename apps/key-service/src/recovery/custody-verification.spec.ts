import { expectedKeyShape, type InventoryEntry } from '@sts/hsm';
import { type KeyReference, verifyCustody } from './custody-verification';

const AT = { checkedAt: '2026-01-01T00:00:00.000Z', token: 'prod' };

function inToken(
  label: string,
  algorithm: InventoryEntry['algorithm'],
  usage: InventoryEntry['usage'],
  lengthBytes: number,
  kcv: string,
  overrides: Partial<InventoryEntry> = {},
): InventoryEntry {
  const shape = expectedKeyShape(algorithm, usage);
  return {
    label,
    algorithm,
    usage,
    lengthBytes,
    kcv,
    sensitive: true,
    extractable: false,
    ...shape,
    ...(algorithm === 'DES' ? { dkga02Share: true } : {}),
    ...overrides,
  };
}

function vendingKey(label: string, kcv: string, state = 'active'): KeyReference {
  return {
    kind: 'vending-key',
    id: `id-${label}`,
    label,
    state,
    required: ['pending-approval', 'active', 'suspended', 'superseded', 'expired'].includes(state),
    algorithm: 'DES',
    usage: 'DERIVE',
    lengthBytes: 8,
    kcv,
    sgc: '123456',
    krn: 1,
  };
}

const AUDIT: KeyReference = {
  kind: 'audit-key',
  id: 'sts-audit',
  label: 'sts-audit',
  state: 'active',
  required: true,
  algorithm: 'EC_P256',
  usage: 'SIGN',
  lengthBytes: 32,
  checkpoint: { seq: 10, valid: true },
};
const AUDIT_IN_TOKEN = inToken('sts-audit', 'EC_P256', 'SIGN', 32, '0a0b0c');

describe('verifyCustody', () => {
  it('passes when every required key is in the token as recorded and nothing else is', () => {
    const report = verifyCustody(
      [vendingKey('vk-1', 'abcdef'), AUDIT],
      [inToken('vk-1', 'DES', 'DERIVE', 8, 'abcdef'), AUDIT_IN_TOKEN],
      AT,
    );
    expect(report).toMatchObject({
      ok: true,
      checkedAt: AT.checkedAt,
      token: 'prod',
      unexpected: [],
      summary: { referenced: 2, verified: 2, failed: 0, unexpected: 0 },
    });
    expect(report.keys.map((k) => [k.label, k.ok, k.problems])).toEqual([
      ['vk-1', true, []],
      ['sts-audit', true, []],
    ]);
  });

  it('fails a key missing from the token, naming it, SGC and KRN', () => {
    const report = verifyCustody([vendingKey('vk-1', 'abcdef'), AUDIT], [AUDIT_IN_TOKEN], AT);
    expect(report.ok).toBe(false);
    expect(report.keys[0]).toMatchObject({
      label: 'vk-1',
      sgc: '123456',
      krn: 1,
      ok: false,
      failure: 'MISSING',
      problems: ['no key labelled vk-1 in the token'],
    });
    expect(report.summary).toEqual({ referenced: 2, verified: 1, failed: 1, unexpected: 0 });
  });

  it('fails another key under the recorded label by its check value (either case recorded)', () => {
    const report = verifyCustody(
      [vendingKey('vk-1', 'ABCDEF'), vendingKey('vk-2', '123456'), AUDIT],
      [
        inToken('vk-1', 'DES', 'DERIVE', 8, 'abcdef'),
        inToken('vk-2', 'DES', 'DERIVE', 8, '654321'),
        AUDIT_IN_TOKEN,
      ],
      AT,
    );
    expect(report.keys.map((k) => [k.label, k.failure])).toEqual([
      ['vk-1', undefined],
      ['vk-2', 'CHECK_VALUE_MISMATCH'],
      ['sts-audit', undefined],
    ]);
    expect(report.keys[1].problems[0]).toContain('654321');
    expect(report.keys[1].problems[0]).toContain('123456');
  });

  it('fails the audit key when the newest checkpoint does not verify under it', () => {
    const report = verifyCustody(
      [{ ...AUDIT, checkpoint: { seq: 42, valid: false } }],
      [AUDIT_IN_TOKEN],
      AT,
    );
    expect(report.keys[0]).toMatchObject({ ok: false, failure: 'CHECK_VALUE_MISMATCH' });
    expect(report.keys[0].problems[0]).toContain('event 42');
  });

  it('fails a key whose algorithm, usage, length or attributes differ from the record', () => {
    const shape = expectedKeyShape('DES', 'DERIVE');
    const report = verifyCustody(
      [
        vendingKey('vk-1', 'abcdef'),
        { ...vendingKey('vk-2', 'abcdef'), algorithm: 'HMAC', lengthBytes: 20 },
      ],
      [
        inToken('vk-1', 'DES', 'DERIVE', 8, 'abcdef', {
          attributes: { ...shape.attributes, extractable: true },
        }),
        inToken('vk-2', 'DES', 'DERIVE', 8, 'abcdef'),
      ],
      AT,
    );
    expect(report.keys[0]).toMatchObject({
      failure: 'ATTRIBUTE_MISMATCH',
      problems: ['CKA_EXTRACTABLE is true, expected false'],
    });
    expect(report.keys[1]).toMatchObject({
      failure: 'ATTRIBUTE_MISMATCH',
      problems: [
        "the token's key is DES DERIVE, the database expects HMAC DERIVE",
        "the token's key is 8 bytes long, the database expects 20",
      ],
    });
  });

  it('lists keys the database does not know and keys it destroyed; neither fails a required key', () => {
    const report = verifyCustody(
      [vendingKey('vk-1', 'abcdef'), vendingKey('vk-old', '111111', 'destroyed')],
      [
        inToken('vk-1', 'DES', 'DERIVE', 8, 'abcdef'),
        inToken('vk-new', 'DES', 'DERIVE', 8, '222222'),
        inToken('vk-old', 'DES', 'DERIVE', 8, '111111'),
      ],
      AT,
    );
    expect(report.ok).toBe(false);
    expect(report.summary).toEqual({ referenced: 1, verified: 1, failed: 0, unexpected: 2 });
    expect(report.unexpected).toEqual([
      { label: 'vk-new', algorithm: 'DES', usage: 'DERIVE', kcv: '222222', reason: 'unknown' },
      { label: 'vk-old', algorithm: 'DES', usage: 'DERIVE', kcv: '111111', reason: 'destroyed' },
    ]);
  });

  it('neither requires nor flags a key whose row is only known (loading, retired)', () => {
    const loading = vendingKey('vk-loading', 'abcdef', 'loading');
    expect(verifyCustody([loading], [], AT)).toMatchObject({ ok: true, keys: [] });
    expect(
      verifyCustody([loading], [inToken('vk-loading', 'DES', 'DERIVE', 8, 'abcdef')], AT),
    ).toMatchObject({ ok: true, unexpected: [] });
  });
});
