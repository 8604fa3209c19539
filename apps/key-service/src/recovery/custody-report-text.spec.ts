import { custodyReportText, restoreSummaryText } from './custody-report-text';
import type { CustodyReport } from './custody-verification';

describe('the operator reports', () => {
  it('files a failed custody check with each failure and each unexpected key', () => {
    const report: CustodyReport = {
      ok: false,
      checkedAt: '2026-01-01T00:00:00.000Z',
      token: 'prod',
      keys: [
        {
          kind: 'vending-key',
          id: 'k1',
          label: 'vk-1',
          state: 'active',
          sgc: '123456',
          krn: 2,
          ok: false,
          failure: 'MISSING',
          problems: ['no key labelled vk-1 in the token'],
        },
        {
          kind: 'audit-key',
          id: 'sts-audit',
          label: 'sts-audit',
          state: 'active',
          ok: true,
          problems: [],
        },
      ],
      unexpected: [
        { label: 'vk-new', algorithm: 'DES', usage: 'DERIVE', kcv: 'abcdef', reason: 'unknown' },
        { label: 'vk-old', algorithm: 'HMAC', usage: 'DERIVE', kcv: '123456', reason: 'destroyed' },
      ],
      summary: { referenced: 2, verified: 1, failed: 1, unexpected: 2 },
    };
    expect(custodyReportText(report)).toBe(
      [
        'custody check of token prod at 2026-01-01T00:00:00.000Z: FAILED',
        '  keys the database references: 2; verified: 1; failed: 1',
        '  keys in the token the database does not account for: 2',
        '',
        'failed (vending refuses these keys with 503 KEY_CUSTODY_FAILED):',
        '  vending-key SGC 123456 KRN 2 vk-1 (active, id k1): MISSING',
        '    - no key labelled vk-1 in the token',
        '',
        'in the token, not accounted for by the database:',
        '  vk-new: DES DERIVE, KCV abcdef: no row names it (created after the database backup?)',
        '  vk-old: HMAC DERIVE, KCV 123456: its row says destroyed or abandoned',
        '',
      ].join('\n'),
    );
  });

  it('states a passing check in three lines', () => {
    const text = custodyReportText({
      ok: true,
      checkedAt: 't',
      token: 'prod',
      keys: [],
      unexpected: [],
      summary: { referenced: 0, verified: 0, failed: 0, unexpected: 0 },
    });
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain(': OK');
  });

  it('states the lost range when it is known, and says so when it is not', () => {
    const base = {
      restoreSeq: 61,
      restoredHead: { seq: 60, hash: 'ab'.repeat(32) },
      lostFromSeq: 61,
      tidFloorAt: '2026-01-01T01:00:00.000Z',
      tidWindowMinutes: 60,
      checkpointSeq: 61,
    };
    const known = restoreSummaryText({ ...base, lostThroughSeq: 70, lostEvidence: 'witness' });
    expect(known).toContain('restore recorded as audit event 61 (signed checkpoint at 61)');
    expect(known).toContain(
      'events 61 to 70 of the lost timeline are gone (known from the witness)',
    );
    expect(known).toContain('TIDs now count from 2026-01-01T01:00:00.000Z on (now + the 60-minute');
    const unknown = restoreSummaryText({ ...base, lostThroughSeq: null, lostEvidence: null });
    expect(unknown).toContain('events from 61 on, if the old database had any, are gone');
  });
});
