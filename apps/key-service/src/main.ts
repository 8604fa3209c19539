import { DataSource } from 'typeorm';
import { createApp } from './app-factory';
import { JsonLogger } from './common/json-logger';
import { ConfigError, loadConfig, redactSecrets } from './config/app-config';
import { lockSqliteForThisProcess } from './database/sqlite-process-lock';

/** Starts the HTTP service. Migrations are a separate, explicit step (`cli.js migrate`). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Held until the process ends: one service process per SQLite database.
  if (config.database.type === 'sqlite') lockSqliteForThisProcess(config.database.path);
  // pkcs11js runs asynchronous token calls on libuv's thread pool (4 threads unless told):
  // room for every call in flight plus the pool's other users. Read when the pool first starts.
  process.env.UV_THREADPOOL_SIZE ??= String(config.hsm.maxInFlight + 4);
  const logger = new JsonLogger(config.logLevel);
  const app = await createApp(config, { logger });
  if (await app.get(DataSource).showMigrations()) {
    await app.close();
    throw new ConfigError(
      ['DATABASE_URL'],
      'The database schema is behind the code: run the migrate step first',
    );
  }
  await app.listen(config.http.port, config.http.host);
  const address = `http://${config.http.host}:${config.http.port}`;
  logger.event('info', 'key service listening', {
    address,
    console: `${address}/console`,
    docs: `${address}/docs`,
    database: config.database.type,
    tokenLabel: config.hsm.tokenLabel,
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`key-service failed to start: ${redactSecrets(message, process.env)}\n`);
  process.exit(1);
});
