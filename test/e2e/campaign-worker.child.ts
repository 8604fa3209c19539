import { NestFactory } from '@nestjs/core';
import { type KeyCustody, Pkcs11KeyCustody } from '@sts/hsm';
import { AppModule } from '../../apps/key-service/src/app.module';
import { JsonLogger } from '../../apps/key-service/src/common/json-logger';
import type { AppConfig } from '../../apps/key-service/src/config/app-config';

/**
 * A campaign worker process for the crash suite: the key service's application context on the
 * suite's database and SoftHSM token, working campaign chunks until it is killed. With
 * STS_CHILD_DERIVE_DELAY_MS it derives slowly (that many ms per derivation, batched or not), so
 * that the parent can kill it mid-run.
 */
async function main(): Promise<void> {
  const config = JSON.parse(process.env.STS_CHILD_CONFIG ?? '') as AppConfig;
  const delay = Number(process.env.STS_CHILD_DERIVE_DELAY_MS ?? '0');
  const inner = await Pkcs11KeyCustody.open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
  });
  const custody: KeyCustody =
    delay > 0
      ? new Proxy(inner, {
          get: (target, prop, receiver) => {
            const value: unknown = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function') return value;
            const fn = (value as (...a: unknown[]) => unknown).bind(target);
            // Each derivation is slow, whether asked for alone or in a batch (one per input).
            if (prop !== 'deriveDecoderKey' && prop !== 'deriveDecoderKeys') return fn;
            return async (...args: unknown[]) => {
              const count = prop === 'deriveDecoderKeys' ? (args[1] as unknown[]).length : 1;
              await new Promise((r) => setTimeout(r, delay * count));
              return fn(...args);
            };
          },
        })
      : inner;
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot(
      { ...config, campaignWorker: true },
      { custody, logger: new JsonLogger('warn') },
    ),
    { logger: new JsonLogger('warn') },
  );
  await app.init();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
