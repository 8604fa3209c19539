/** Small helpers shared by the benchmark scripts: ops/s measurement and table output. */

/** Runs `op(i)` in growing rounds until `minMs` has passed; returns operations per second. */
export function opsPerSecond(op: (i: number) => void, minMs = 1500): number {
  for (let i = 0; i < 2000; i++) op(i); // warm-up: let the JIT settle
  let n = 0;
  let round = 1000;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < round; i++) op(n + i);
    n += round;
    round *= 2;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (n / elapsed) * 1000;
}

/** Milliseconds taken by `fn`. */
export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Formats a number with thousands separators. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** Prints aligned `label  value  note` rows. */
export function printRows(title: string, rows: [string, string, string?][]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n${title}`);
  for (const [label, value, note] of rows)
    console.log(`  ${label.padEnd(w0)}  ${value.padStart(w1)}  ${note ?? ''}`);
}
