import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { KEY_CUSTODY, type KeyCustody, Pkcs11KeyCustody, type TokenStateChange } from '@sts/hsm';
import type { AppConfig } from '../config/app-config';
import type { JsonLogger } from '../common/json-logger';

/**
 * Opens the PKCS#11 token named by the configuration (STS_HSM_MODULE, STS_HSM_TOKEN_LABEL,
 * STS_HSM_PIN). No configuration selects any other implementation: the in-memory custody can
 * only be passed in by test code (`AppOverrides.custody`).
 */
export async function openConfiguredCustody(
  config: AppConfig,
  logger: JsonLogger,
): Promise<KeyCustody> {
  const custody = await Pkcs11KeyCustody.open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
    maxInFlight: config.hsm.maxInFlight,
    callTimeoutMs: config.hsm.callTimeoutMs,
    onStateChange: (change) => logTokenStateChange(logger, config.hsm.tokenLabel, change),
  });
  const selfTest = custody.startupSelfTest;
  logger.event(selfTest?.ok === false ? 'warn' : 'info', 'key custody opened', {
    implementation: custody.implementation,
    tokenLabel: config.hsm.tokenLabel,
    selfTestOk: selfTest?.ok ?? null,
  });
  return custody;
}

/** One log line per change of the token's state (the adapter reports transitions only). */
export function logTokenStateChange(
  logger: JsonLogger,
  tokenLabel: string,
  change: TokenStateChange,
): void {
  if (change.state === 'unavailable') {
    logger.event('error', 'token unavailable', { tokenLabel, reason: change.reason ?? null });
  } else {
    logger.event('info', 'token available again', {
      tokenLabel,
      unavailableForMs: change.unavailableForMs ?? null,
    });
  }
}

/** Closes the token session when the app shuts down. */
@Injectable()
export class CustodyLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KEY_CUSTODY) private readonly custody: KeyCustody) {}

  async onApplicationShutdown(): Promise<void> {
    await this.custody.close().catch(() => undefined);
  }
}
