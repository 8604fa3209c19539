/**
 * DEVELOPMENT ONLY: loads the public development keys (dev-keys.ts) into the dev token.
 *
 *   eval "$(keys-dev/setup-token.sh)"
 *   node --require ./keys-dev/register-ts.js keys-dev/load-dev-keys.ts
 *
 * Reads STS_HSM_MODULE, STS_HSM_TOKEN_LABEL and STS_HSM_PIN (and SoftHSM's SOFTHSM2_CONF), as
 * printed by setup-token.sh. Prints each key's label and check value, never a key.
 */
import { Pkcs11KeyCustody } from '@sts/hsm';
import { loadDevKeys } from './dev-keys';

async function main(): Promise<void> {
  const custody = await Pkcs11KeyCustody.open({
    modulePath: process.env.STS_HSM_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so',
    tokenLabel: process.env.STS_HSM_TOKEN_LABEL ?? 'sts-dev',
    pin: process.env.STS_HSM_PIN ?? '1234',
  });
  try {
    for (const result of await loadDevKeys(custody)) {
      console.log(
        `${result.label.padEnd(16)} kcv ${result.kcv} ${result.loaded ? 'loaded' : 'present'}`,
      );
    }
  } finally {
    await custody.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
