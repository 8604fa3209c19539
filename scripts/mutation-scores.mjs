// Prints the mutation score of each mutated module from Stryker's JSON report and fails when
// any module scores below the break threshold of stryker.config.mjs (Stryker itself only
// breaks on the score of all modules together). Reads the run's report, or the one named.
import { readFileSync } from 'node:fs';
import config from '../stryker.config.mjs';

const report = JSON.parse(readFileSync(process.argv[2] ?? config.jsonReporter.fileName, 'utf8'));
const breakAt = config.thresholds.break;
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);

const rows = Object.entries(report.files)
  .map(([file, { mutants }]) => {
    const count = (states) => mutants.filter((m) => states.has(m.status)).length;
    const killed = count(detected);
    const missed = count(undetected);
    const ignored = count(new Set(['Ignored']));
    const score = killed + missed === 0 ? 100 : (100 * killed) / (killed + missed);
    return { file, killed, missed, ignored, score };
  })
  .sort((a, b) => a.file.localeCompare(b.file));

const width = Math.max(...rows.map((r) => r.file.length));
console.log(`${'module'.padEnd(width)}  score    killed  survived  ignored`);
for (const r of rows) {
  console.log(
    `${r.file.padEnd(width)}  ${r.score.toFixed(1).padStart(5)} %  ${String(r.killed).padStart(6)}` +
      `  ${String(r.missed).padStart(8)}  ${String(r.ignored).padStart(7)}`,
  );
}
const low = rows.filter((r) => r.score < breakAt);
if (low.length > 0) {
  console.error(`mutation score below ${breakAt} % in: ${low.map((r) => r.file).join(', ')}`);
  process.exit(1);
}
