import { bytesToHex, deriveDecoderKey as softwareDerive, hexToBytes } from '@sts/core';
import { type HsmError, Pkcs11KeyCustody } from '@sts/hsm';
import { derivationVectors } from '../vectors';

/**
 * A second process using the same token at once:
 * logs in on its own, derives every vector `rounds` times through the token and compares with
 * `@sts/core`, and creates and destroys keys of its own meanwhile. Prints one JSON line.
 *
 * argv: rounds, then `hex=label` pairs naming the vending keys the parent loaded.
 * env: STS_HSM_MODULE, STS_HSM_TOKEN_LABEL, STS_HSM_PIN, SOFTHSM2_CONF.
 */
async function main(): Promise<void> {
  const [roundsText, ...pairs] = process.argv.slice(2);
  const labels = new Map(pairs.map((pair) => pair.split('=') as [string, string]));
  const custody = await Pkcs11KeyCustody.open({
    modulePath: process.env.STS_HSM_MODULE ?? '',
    tokenLabel: process.env.STS_HSM_TOKEN_LABEL ?? '',
    pin: process.env.STS_HSM_PIN ?? '',
  });
  let derived = 0;
  let mismatches = 0;
  let created = 0;
  try {
    const vectors = derivationVectors();
    for (let round = 0; round < Number(roundsText); round++) {
      for (const vector of vectors) {
        const label = labels.get(vector.vendingKeyHex)!;
        const dk = await custody.deriveDecoderKey(label, vector.input);
        const expected = softwareDerive(hexToBytes('vk', vector.vendingKeyHex), vector.input);
        if (bytesToHex(dk) !== bytesToHex(expected)) mismatches += 1;
        derived += 1;
      }
      const own = `worker-${process.pid}-${round}`;
      await custody.generateKey({ label: own, algorithm: 'AES', usage: 'WRAP', lengthBytes: 16 });
      await custody.destroyKey(own);
      created += 1;
    }
    const selfTest = await custody.selfTest();
    const ok = mismatches === 0 && selfTest.ok;
    process.stdout.write(`${JSON.stringify({ ok, derived, mismatches, created })}\n`);
  } finally {
    await custody.close();
  }
}

main().catch((error: unknown) => {
  const code = (error as HsmError).code ?? 'UNKNOWN';
  process.stdout.write(`${JSON.stringify({ ok: false, code })}\n`);
  process.exitCode = 1;
});
