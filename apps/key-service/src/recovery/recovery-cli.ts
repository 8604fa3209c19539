import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { parseWitness, type Witness } from '../audit/audit-chain';
import { CustodyCheckService } from './custody-check.service';
import { custodyReportText, restoreSummaryText } from './custody-report-text';
import { RestoreInputError, RestoreService } from './restore.service';

/** Where a command writes. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const RECOVERY_USAGE = `  verify-custody [--json] [--out FILE]
                               every key the database references must be in the token with the
                               recorded check value and attributes; keys in the token the
                               database does not know are listed; the report on stdout (--json:
                               as JSON) and in FILE; exit 0 all verified, 1 a key failed,
                               3 all verified but the token holds keys the database does not know
  restore-complete [--witness FILE]
                               after restoring the database from a backup, before the service
                               serves again: records the restore as an audit event (with the lost
                               range the checkpoint sink or an auditor's witness FILE shows),
                               signs a checkpoint over it and moves TID allocation beyond every
                               TID the lost interval could have issued (docs/operations.md)
`;

/** Exit codes of verify-custody. */
export const CUSTODY_EXIT = { ok: 0, failed: 1, usage: 2, unexpected: 3 } as const;

function flags(argv: readonly string[], withValue: readonly string[], bare: readonly string[]) {
  const found: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (withValue.includes(arg) && i + 1 < argv.length) found[arg] = argv[++i];
    else if (bare.includes(arg)) found[arg] = true;
    else return { problem: `unknown or incomplete argument ${arg}` };
  }
  return { found };
}

/** `verify-custody`: runs the check in `app` (a started service context) and reports. */
export async function verifyCustodyCommand(
  argv: readonly string[],
  open: () => Promise<INestApplicationContext>,
  io: CommandIo,
): Promise<number> {
  const parsed = flags(argv, ['--out'], ['--json']);
  if ('problem' in parsed) {
    io.err(`key-service verify-custody: ${parsed.problem}\n`);
    return CUSTODY_EXIT.usage;
  }
  const app = await open();
  try {
    const report = await app.get(CustodyCheckService).run('command');
    const text =
      parsed.found['--json'] === true
        ? `${JSON.stringify(report, null, 2)}\n`
        : custodyReportText(report);
    io.out(text);
    const out = parsed.found['--out'];
    if (typeof out === 'string') writeFileSync(out, text);
    if (report.summary.failed > 0) return CUSTODY_EXIT.failed;
    return report.unexpected.length > 0 ? CUSTODY_EXIT.unexpected : CUSTODY_EXIT.ok;
  } finally {
    await app.close();
  }
}

/** `restore-complete`: records the restore and sets the TID floor. */
export async function restoreCompleteCommand(
  argv: readonly string[],
  open: () => Promise<INestApplicationContext>,
  io: CommandIo,
): Promise<number> {
  const parsed = flags(argv, ['--witness'], []);
  if ('problem' in parsed) {
    io.err(`key-service restore-complete: ${parsed.problem}\n`);
    return 2;
  }
  let witness: Witness | undefined;
  const file = parsed.found['--witness'];
  if (typeof file === 'string') {
    const read = existsSync(file) ? readWitness(file) : { problem: 'no such file' };
    if ('problem' in read) {
      io.err(`key-service restore-complete: --witness ${file}: ${read.problem}\n`);
      return 2;
    }
    witness = read.witness;
  }
  const app = await open();
  try {
    const summary = await app.get(RestoreService).complete(witness ? { witness } : {});
    io.out(restoreSummaryText(summary));
    io.out('next: key-service verify-custody, then start the service\n');
    return 0;
  } catch (error) {
    if (!(error instanceof RestoreInputError)) throw error;
    io.err(`key-service restore-complete: ${error.message}\n`);
    return 2;
  } finally {
    await app.close();
  }
}

function readWitness(file: string): { witness: Witness } | { problem: string } {
  try {
    return parseWitness(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { problem: 'is not JSON' };
  }
}
