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
  const custody = await openPkcs11Custody(config, (change) =>
    logTokenStateChange(logger, config.hsm.tokenLabel, change),
  );
  const selfTest = custody.startupSelfTest;
  const capabilities = await custody.capabilities();
  const refused = capabilities.filter((c) => c.outcome === 'refused');
  const fallbacks = capabilities.filter((c) => c.outcome === 'fallback');
  logger.event(
    selfTest?.ok === false || refused.length > 0 ? 'warn' : 'info',
    'key custody opened',
    {
      implementation: custody.implementation,
      tokenLabel: config.hsm.tokenLabel,
      selfTestOk: selfTest?.ok ?? null,
      refused: refused.map((c) => `${c.mechanism}: ${c.refused ?? ''}`),
      fallbacks: fallbacks.map((c) => `${c.mechanism}: ${c.fallback ?? ''}`),
    },
  );
  return custody;
}

/** The PKCS#11 adapter on the configured module and token (the service and `hsm-probe`). */
export function openPkcs11Custody(
  config: AppConfig,
  onStateChange?: (change: TokenStateChange) => void,
): Promise<Pkcs11KeyCustody> {
  return Pkcs11KeyCustody.open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
    maxInFlight: config.hsm.maxInFlight,
    callTimeoutMs: config.hsm.callTimeoutMs,
    ...(config.hsm.libraryParameters === undefined
      ? {}
      : { libraryParameters: config.hsm.libraryParameters }),
    ...(onStateChange === undefined ? {} : { onStateChange }),
  });
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
