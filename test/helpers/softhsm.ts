import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type KeyCustody, type Pkcs11Config, Pkcs11KeyCustody } from '@sts/hsm';

const SETUP = join(__dirname, '..', '..', 'keys-dev', 'setup-token.sh');

/** A fresh SoftHSM token for one suite, created by keys-dev/setup-token.sh in `dir`. */
export interface SoftHsmFixture {
  /** SoftHSM's module, or the latency and fault shim in front of it (`throughShim`). */
  readonly module: string;
  readonly label: string;
  readonly pin: string;
  readonly conf: string;
  open(options?: Pick<Pkcs11Config, 'callTimeoutMs' | 'maxInFlight'>): Promise<KeyCustody>;
}

/**
 * Adds a fresh token to this run's SoftHSM directory (see e2e-global-setup.ts). SoftHSM scans
 * the directory when the module initializes, i.e. at the first open after every earlier
 * custody was closed: suites close their app (and with it the custody) in afterAll.
 */
let tokens = 0;

export function softHsmFixture(throughShim = false): SoftHsmFixture {
  const dir = process.env.STS_E2E_HSM_DIR;
  if (!dir || !process.env.SOFTHSM2_CONF) {
    throw new Error(
      'No SoftHSM directory: run the e2e project through jest (its globalSetup creates one)',
    );
  }
  const label = `e2e-${process.pid}-${tokens++}`;
  const exports = execFileSync('bash', [SETUP], {
    env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: label },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const vars: Record<string, string> = {};
  for (const line of exports.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  const shim = process.env.STS_E2E_SHIM_MODULE;
  if (throughShim && !shim) throw new Error('No PKCS#11 shim: the e2e globalSetup builds it');
  const fixture = {
    module: throughShim ? shim! : vars.STS_HSM_MODULE,
    label: vars.STS_HSM_TOKEN_LABEL,
    pin: vars.STS_HSM_PIN,
    conf: vars.SOFTHSM2_CONF,
  };
  if (!fixture.module || !fixture.label || !fixture.pin || !fixture.conf) {
    throw new Error(`keys-dev/setup-token.sh printed no exports: ${exports}`);
  }
  if (fixture.conf !== process.env.SOFTHSM2_CONF)
    throw new Error('setup-token.sh wrote another SoftHSM config');
  return {
    ...fixture,
    open: (options) =>
      Pkcs11KeyCustody.open({
        modulePath: fixture.module,
        tokenLabel: fixture.label,
        pin: fixture.pin,
        ...options,
      }),
  };
}
