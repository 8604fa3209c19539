import type { CustodyReport } from './custody-verification';
import type { RestoreSummary } from './restore.service';

/** The custody report as an operator files it: a headline, each failure, each unexpected key. */
export function custodyReportText(report: CustodyReport): string {
  const s = report.summary;
  const lines = [
    `custody check of token ${report.token} at ${report.checkedAt}: ${report.ok ? 'OK' : 'FAILED'}`,
    `  keys the database references: ${s.referenced}; verified: ${s.verified}; failed: ${s.failed}`,
    `  keys in the token the database does not account for: ${s.unexpected}`,
  ];
  const failed = report.keys.filter((k) => !k.ok);
  if (failed.length > 0) {
    lines.push('', 'failed (vending refuses these keys with 503 KEY_CUSTODY_FAILED):');
    for (const k of failed) {
      const where = k.sgc !== undefined ? ` SGC ${k.sgc} KRN ${k.krn}` : '';
      lines.push(`  ${k.kind}${where} ${k.label} (${k.state}, id ${k.id}): ${k.failure}`);
      for (const p of k.problems) lines.push(`    - ${p}`);
    }
  }
  if (report.unexpected.length > 0) {
    lines.push('', 'in the token, not accounted for by the database:');
    for (const u of report.unexpected) {
      const why =
        u.reason === 'unknown'
          ? 'no row names it (created after the database backup?)'
          : 'its row says destroyed or abandoned';
      lines.push(`  ${u.label}: ${u.algorithm} ${u.usage}, KCV ${u.kcv}: ${why}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What `restore-complete` did, for the operator's record. */
export function restoreSummaryText(r: RestoreSummary): string {
  const lost =
    r.lostThroughSeq !== null
      ? `events ${r.lostFromSeq} to ${r.lostThroughSeq} of the lost timeline are gone (known from ` +
        `the ${r.lostEvidence}); later ones, if any, are unknown`
      : `events from ${r.lostFromSeq} on, if the old database had any, are gone (no signed ` +
        'checkpoint beyond the restored head was at hand)';
  return (
    [
      `restore recorded as audit event ${r.restoreSeq} (signed checkpoint at ${r.checkpointSeq ?? 'none'})`,
      `  the restored database ends at event ${r.restoredHead.seq} (${r.restoredHead.hash})`,
      `  ${lost}`,
      `  TIDs now count from ${r.tidFloorAt} on (now + the ${r.tidWindowMinutes}-minute TID window): ` +
        'above every TID the lost interval could have issued',
    ].join('\n') + '\n'
  );
}
