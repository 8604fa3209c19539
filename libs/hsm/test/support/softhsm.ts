import { join } from 'node:path';
import type { Pkcs11Config } from '@sts/hsm';

/** Repository root, from libs/hsm/test/support. */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** The fresh SoftHSM token softhsm-environment.js made for this test file. */
export interface TestToken {
  /** The variables keys-dev/setup-token.sh printed (SOFTHSM2_CONF, STS_HSM_MODULE, ...). */
  readonly env: Readonly<Record<string, string>>;
  readonly config: Pkcs11Config;
  /** The token's private directory (removed by the environment after the file). */
  readonly dir: string;
}

declare global {
  var __STS_HSM_TEST_TOKEN__: { dir: string; env: Record<string, string> } | undefined;
}

/** This file's token; fails clearly if the file did not opt in to the SoftHSM environment. */
export function testToken(): TestToken {
  const token = globalThis.__STS_HSM_TEST_TOKEN__;
  if (token === undefined) {
    throw new Error(
      'no SoftHSM token: start the file with /** @jest-environment ./libs/hsm/test/support/softhsm-environment.js */',
    );
  }
  return {
    env: token.env,
    dir: token.dir,
    config: {
      modulePath: token.env.STS_HSM_MODULE,
      tokenLabel: token.env.STS_HSM_TOKEN_LABEL,
      pin: token.env.STS_HSM_PIN,
    },
  };
}
