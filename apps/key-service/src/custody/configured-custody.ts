import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import type { AppConfig } from '../config/app-config';
import type { JsonLogger } from '../common/json-logger';

/**
 * Opens the PKCS#11 token named by the configuration (STS_HSM_MODULE, STS_HSM_TOKEN_LABEL,
 * STS_HSM_PIN). There is no configuration that selects any other implementation.
 */
export async function openConfiguredCustody(
  config: AppConfig,
  logger: JsonLogger,
): Promise<KeyCustody> {
  const hsm = (await import('@sts/hsm')) as Record<string, unknown>;
  const open = hsm.openPkcs11KeyCustody as
    | ((c: { modulePath: string; tokenLabel: string; pin: string }) => Promise<KeyCustody>)
    | undefined;
  if (typeof open !== 'function') {
    throw new Error('The PKCS#11 key custody is not available in @sts/hsm');
  }
  const custody = await open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
  });
  logger.event('info', 'key custody opened', {
    implementation: custody.implementation,
    tokenLabel: config.hsm.tokenLabel,
  });
  return custody;
}

/** Closes the token session when the app shuts down. */
@Injectable()
export class CustodyLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KEY_CUSTODY) private readonly custody: KeyCustody) {}

  async onApplicationShutdown(): Promise<void> {
    await this.custody.close().catch(() => undefined);
  }
}
