import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest global setup of the e2e project: a fresh SoftHSM directory for this run, created by
 * keys-dev/setup-token.sh. SoftHSM reads SOFTHSM2_CONF from the real process environment (not
 * Jest's per-file copy), so it has to be set here; each suite then adds its own token.
 */
export default function setup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sts-e2e-hsm-'));
  const out = execFileSync('bash', [join(__dirname, '..', '..', 'keys-dev', 'setup-token.sh')], {
    env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'e2e-run' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const conf = /^export SOFTHSM2_CONF=(.*)$/m.exec(out)?.[1];
  if (!conf) throw new Error(`keys-dev/setup-token.sh printed no SOFTHSM2_CONF: ${out}`);
  process.env.SOFTHSM2_CONF = conf;
  process.env.STS_E2E_HSM_DIR = dir;
  // The PKCS#11 latency and fault shim in front of SoftHSM, for suites that start the service
  // with `token: 'shim'`: it reads these variables from the real process environment.
  const shim = execFileSync(
    'bash',
    [join(__dirname, '..', '..', 'scripts', 'build-pkcs11-shim.sh')],
    {
      encoding: 'utf8',
    },
  ).trim();
  const module = /^export STS_HSM_MODULE=(.*)$/m.exec(out)?.[1]?.replace(/^'(.*)'$/, '$1');
  if (!module) throw new Error(`keys-dev/setup-token.sh printed no STS_HSM_MODULE: ${out}`);
  const control = join(dir, 'shim-control');
  writeFileSync(control, '');
  process.env.STS_E2E_SHIM_MODULE = shim;
  process.env.STS_SHIM_TARGET = module;
  process.env.STS_SHIM_CONTROL = control;
}
