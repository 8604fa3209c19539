import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { KEY_CUSTODY, type KeyCustody, Pkcs11KeyCustody, type TokenStateChange } from '@sts/hsm';
import type { AppConfig } from '../config/app-config';
import type { JsonLogger } from '../common/json-logger';
import { DependencyTracker } from '../health/dependency-tracker';

/**
 * Opens the PKCS#11 token named by the configuration (STS_HSM_MODULE, STS_HSM_TOKEN_LABEL,
 * STS_HSM_PIN). No configuration selects any other implementation: the in-memory custody can
 * only be passed in by test code (`AppOverrides.custody`).
 */
export async function openConfiguredCustody(
  config: AppConfig,
  logger: JsonLogger,
): Promise<KeyCustody> {
  const custody = await openPkcs11Custody(config);
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
export function openPkcs11Custody(config: AppConfig): Promise<Pkcs11KeyCustody> {
  return Pkcs11KeyCustody.open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
    maxInFlight: config.hsm.maxInFlight,
    callTimeoutMs: config.hsm.callTimeoutMs,
    ...(config.hsm.libraryParameters === undefined
      ? {}
      : { libraryParameters: config.hsm.libraryParameters }),
  });
}

/**
 * The token's state changes (the adapter reports transitions only) go to the dependency
 * tracker as the `hsm` dependency: one log line each, the gauge in /metrics, and the outage's
 * length and refused requests on the way back.
 */
export function reportTokenStateChange(tracker: DependencyTracker, change: TokenStateChange): void {
  if (change.state === 'unavailable') {
    tracker.markUnavailable('hsm', change.reason ?? 'device fault');
  } else {
    tracker.markAvailable('hsm');
  }
}

/**
 * Reports the token's state changes to the dependency tracker while the app runs, and closes
 * the token session when it shuts down.
 */
@Injectable()
export class CustodyLifecycle implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
    private readonly tracker: DependencyTracker,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.custody.onStateChange?.((change) =>
      reportTokenStateChange(this.tracker, change),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.custody.close().catch(() => undefined);
  }
}
