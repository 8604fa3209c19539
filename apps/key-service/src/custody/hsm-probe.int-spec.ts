/** @jest-environment ./libs/hsm/test/support/softhsm-environment.js */
import { testToken } from '../../../../libs/hsm/test/support/softhsm';
import { loadConfig } from '../config/app-config';
import { probeHsm } from './hsm-probe';

/** `key-service hsm-probe` against this file's SoftHSM token, configured as an operator would. */
describe('hsm-probe', () => {
  const token = testToken();
  const config = () =>
    loadConfig({
      STS_HSM_MODULE: token.env.STS_HSM_MODULE,
      STS_HSM_TOKEN_LABEL: token.env.STS_HSM_TOKEN_LABEL,
      STS_HSM_PIN: token.env.STS_HSM_PIN,
      STS_DATA_DIR: token.dir,
    });

  it('lists every mechanism in the token, RFC 5649 under SoftHSM’s name, and passes', async () => {
    const result = await probeHsm(config());
    expect(result.ok).toBe(true);
    const rows = result.text.split('\n');
    expect(rows).toContainEqual(expect.stringMatching(/^CKM_DES3_ECB +yes +in token +DKGA02/));
    expect(rows).toContainEqual(
      expect.stringMatching(/^CKM_AES_KEY_WRAP_KWP +as CKM_AES_KEY_WRAP_PAD +in token/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^token data objects \(CKO_DATA\) +yes/));
    expect(rows).toContainEqual(expect.stringMatching(/^self-test: passed \(\d+ checks\)$/));
    expect(result.text).not.toContain(token.env.STS_HSM_PIN);
  });

  it('fails as the service would with a wrong PIN, and never says the PIN', async () => {
    const wrong = loadConfig({
      STS_HSM_MODULE: token.env.STS_HSM_MODULE,
      STS_HSM_TOKEN_LABEL: token.env.STS_HSM_TOKEN_LABEL,
      STS_HSM_PIN: 'not-the-pin-0000',
      STS_DATA_DIR: token.dir,
    });
    const error: unknown = await probeHsm(wrong).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HsmError', code: 'AUTHENTICATION_FAILED' });
    expect(String((error as Error).message)).not.toContain('not-the-pin-0000');
  });
});
