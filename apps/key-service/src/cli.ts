import { readFileSync, writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { verifyAuditCommand } from './audit/audit-chain';
import { AuditService } from './audit/audit.service';
import { CAMPAIGN_PROGRESS_USAGE, campaignProgress } from './campaigns/campaign-progress-cli';
import { JsonLogger } from './common/json-logger';
import { probeHsm } from './custody/hsm-probe';
import { type AppConfig, ConfigError, loadConfig, redactSecrets } from './config/app-config';
import { createDataSource, ensureSchema } from './database/data-source';
import { generateOpenApiJson } from './openapi/generate-openapi';
import { installationPlan } from './principals/installation-plan';
import { type InstallationPlan, PrincipalsService } from './principals/principals.service';
import {
  RECOVERY_USAGE,
  restoreCompleteCommand,
  verifyCustodyCommand,
} from './recovery/recovery-cli';

const USAGE = `key-service <command>

  migrate                      apply pending database migrations (SQLite or DATABASE_URL)
  migrate:revert               undo the most recent migration
  migrate:status               list migrations and whether each is applied
  bootstrap-admin [--admin NAME]... [--officer NAME]... [--custodian NAME]... [--auditor NAME]...
                               the installation ceremony, on an empty database only: creates the
                               first principals (at least one admin; name two, since granting
                               key-touching roles later needs a second admin) and prints each one's
                               enrolment key once; a lone NAME means --admin NAME
  openapi [--out FILE|--check FILE]
                               write the OpenAPI document (default docs/openapi.json), or fail if
                               FILE differs from the code
  hsm-probe                    open the configured PKCS#11 module and token (STS_HSM_*) as the
                               service does, list each mechanism the service needs, whether the
                               token offers it and what is refused without it, and run the
                               self-test; exit 0 when everything is done in the token, 1 otherwise
  verify-audit --public-key PEM [--fingerprint HEX] [--witness FILE] EXPORT.jsonl
                               verify an audit export offline with only the audit public key
                               (the same command as tools/audit-verifier/verify-audit.js): the
                               chain, every checkpoint, their cadence and the signed trailer; the
                               key against the fingerprint recorded at installation; that the
                               export extends the witness FILE, which then advances; JSON result
                               on stdout, exit 0 intact, 1 not intact
${RECOVERY_USAGE}${CAMPAIGN_PROGRESS_USAGE}`;

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function migrate(config: AppConfig, direction: 'up' | 'down' | 'status'): Promise<void> {
  const ds = createDataSource(config.database);
  await ds.initialize();
  try {
    await ensureSchema(ds, config.database);
    if (direction === 'up') {
      const applied = await ds.runMigrations({ transaction: 'each' });
      out(
        applied.length
          ? `applied: ${applied.map((m) => m.name).join(', ')}`
          : 'database schema is up to date',
      );
    } else if (direction === 'down') {
      await ds.undoLastMigration({ transaction: 'each' });
      out('reverted the most recent migration');
    } else {
      const pending = await ds.showMigrations();
      out(pending ? 'migrations pending' : 'database schema is up to date');
    }
  } finally {
    await ds.destroy();
  }
}

const ROLE_LABEL: Record<string, string> = {
  admin: 'admin',
  'security-officer': 'officer',
  custodian: 'custodian',
  auditor: 'auditor',
};

async function bootstrapAdmin(config: AppConfig, plan: InstallationPlan): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: new JsonLogger('warn'),
  });
  try {
    const created = await app.get(PrincipalsService).install(plan);
    if (!created) {
      out(
        'principals exist already: nothing created (admins create further principals via the API)',
      );
      return;
    }
    out(`installation: ${created.length} principals created.`);
    out('Enrolment keys, shown once (only verifiers are stored). Hand each to its holder, who');
    out('exchanges it for their own key: POST /api/v1/principals/me/api-key with that key.');
    for (const { principal, apiKey } of created) {
      out(`  ${ROLE_LABEL[principal.roles[0]]}: ${principal.name}: ${apiKey}`);
    }
    if (plan.admins.length < 2) {
      out(
        'warning: one admin only. Granting admin, security-officer or custodian later needs a ' +
          'second admin to approve: name two with --admin.',
      );
    }
    printAuditKeyFingerprint(app);
  } finally {
    await app.close();
  }
}

/** The installation ceremony's record for auditors: the audit key they will pin. */
function printAuditKeyFingerprint(app: INestApplicationContext): void {
  out('audit key fingerprint (SHA-256 of its SPKI DER; auditors record it now and verify with');
  out('verify-audit --fingerprint):');
  out(`  ${app.get(AuditService).keyFingerprint}`);
}

const stdio = {
  out: (t: string) => process.stdout.write(t),
  err: (t: string) => process.stderr.write(t),
};

/**
 * The service's modules without the HTTP server, for commands that use its services; their log
 * lines go to stderr, so that stdout holds the command's report alone.
 */
function serviceContext(config: AppConfig): Promise<INestApplicationContext> {
  const logger = new JsonLogger('warn', (line) => process.stderr.write(`${line}\n`));
  return NestFactory.createApplicationContext(AppModule.forRoot(config, { logger }), { logger });
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      await migrate(loadConfig(process.env), 'up');
      return 0;
    case 'migrate:revert':
      await migrate(loadConfig(process.env), 'down');
      return 0;
    case 'migrate:status':
      await migrate(loadConfig(process.env), 'status');
      return 0;
    case 'bootstrap-admin': {
      const plan = installationPlan(rest);
      if (typeof plan === 'string') {
        process.stderr.write(`key-service bootstrap-admin: ${plan}\n`);
        return 2;
      }
      await bootstrapAdmin(loadConfig(process.env), plan);
      return 0;
    }
    case 'openapi': {
      const json = await generateOpenApiJson();
      if (rest[0] === '--check') {
        const file = rest[1] ?? 'docs/openapi.json';
        if (readFileSync(file, 'utf8') !== json) {
          out(`${file} differs from the code: run "npm run openapi" and commit the result`);
          return 1;
        }
        out(`${file} matches the code`);
        return 0;
      }
      const file = rest[0] === '--out' ? (rest[1] ?? 'docs/openapi.json') : 'docs/openapi.json';
      writeFileSync(file, json);
      out(`wrote ${file}`);
      return 0;
    }
    case 'hsm-probe': {
      const result = await probeHsm(loadConfig(process.env));
      out(result.text);
      return result.ok ? 0 : 1;
    }
    case 'verify-audit':
      return verifyAuditCommand(rest, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
    case 'verify-custody':
      return verifyCustodyCommand(rest, () => serviceContext(loadConfig(process.env)), stdio);
    case 'restore-complete':
      return restoreCompleteCommand(rest, () => serviceContext(loadConfig(process.env)), stdio);
    case 'campaign-progress':
      return campaignProgress(rest, {
        env: process.env,
        write: (t) => process.stdout.write(t),
        tty: process.stdout.isTTY === true,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
    default:
      out(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    process.stderr.write(`key-service: ${redactSecrets(message, process.env)}\n`);
    process.exit(1);
  },
);
