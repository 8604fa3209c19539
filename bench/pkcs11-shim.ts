/**
 * The benchmarks' side of the PKCS#11 shim (test/pkcs11-shim): the `--hsm-latency-ms` flag, and
 * the shim built and pointed at the real module with a delay the benchmark can change while the
 * service runs.
 */
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** `--hsm-latency-ms N` (or `=N`): a non-negative number of milliseconds; 0 without the flag. */
export function latencyFlag(args: readonly string[]): number {
  const index = args.findIndex(
    (a) => a === '--hsm-latency-ms' || a.startsWith('--hsm-latency-ms='),
  );
  if (index < 0) return 0;
  const text = args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < 0) {
    throw new Error(`--hsm-latency-ms: must be a number of milliseconds, not ${text}`);
  }
  return value;
}

/** A built shim: its module path, and the delay it adds to every call. */
export interface Pkcs11Shim {
  readonly module: string;
  setLatency(ms: number): void;
}

/**
 * Builds the shim, points it at `target` with no delay, and returns it. Its settings travel in
 * the environment to the processes started after this; the control file is replaced atomically,
 * so a running shim reads the new delay whole.
 */
export function prepareShim(dir: string, target: string): Pkcs11Shim {
  const module = execFileSync('bash', [join(ROOT, 'scripts', 'build-pkcs11-shim.sh')], {
    encoding: 'utf8',
  }).trim();
  const control = join(dir, 'shim-control');
  let writes = 0;
  const setLatency = (ms: number): void => {
    const next = `${control}.${++writes}`;
    writeFileSync(next, `delay_us=${Math.round(ms * 1000)}\n`);
    renameSync(next, control);
  };
  setLatency(0);
  process.env.STS_SHIM_TARGET = target;
  process.env.STS_SHIM_CONTROL = control;
  return { module, setLatency };
}
