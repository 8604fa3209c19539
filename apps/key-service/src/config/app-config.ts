import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/** Variables whose values are secrets: never logged, never echoed in a configuration error. */
export const SENSITIVE_VARIABLES: ReadonlySet<string> = new Set(['STS_HSM_PIN', 'DATABASE_URL']);

/** The label and user PIN keys-dev/setup-token.sh gives a development token (public values). */
export const DEV_TOKEN_LABEL = 'sts-dev';
export const DEV_TOKEN_PIN = '1234';

const REDACTED = '[redacted]';

/**
 * Secret values {@link loadConfig} read from a file or removed from the environment (the token
 * PIN): {@link redactSecrets} finds them in a message although no variable holds them.
 */
const readSecrets = new Set<string>();

/**
 * `text` with every value of a {@link SENSITIVE_VARIABLES} variable in `env`, and the password
 * inside a connection URL (as written and decoded), replaced by `[redacted]`. For messages that
 * may quote what a validator or driver saw: configuration errors and start-up failures.
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  const secrets: string[] = [...readSecrets];
  for (const name of SENSITIVE_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    secrets.push(value);
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/i.exec(value)?.[1];
    if (password !== undefined) secrets.push(password, decodeOrSelf(password));
  }
  // Longest first, so that a password never leaves the rest of its URL behind.
  return secrets
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

function decodeOrSelf(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable the key service reads, validated once at boot. Names are the
 * variable names so that a failure names exactly what to fix.
 */
export class EnvironmentVariables {
  /** Directory for the embedded SQLite database (and nothing secret). */
  @IsString()
  @IsNotEmpty()
  STS_DATA_DIR = '.data';

  /** PostgreSQL connection URL; when absent the embedded SQLite database is used. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** PostgreSQL schema for all tables (tests use one schema per suite). */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  STS_DB_SCHEMA = 'public';

  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  @IsString()
  @IsNotEmpty({ message: 'is required (path of the PKCS#11 module)' })
  STS_HSM_MODULE = '';

  /** Label of the token that holds every key. */
  @IsString()
  @IsNotEmpty({ message: 'is required (label of the PKCS#11 token)' })
  STS_HSM_TOKEN_LABEL = '';

  /** User PIN of the token. Sensitive; removed from the environment once read. */
  @IsOptional()
  @IsString()
  STS_HSM_PIN?: string;

  /** A file holding the user PIN (instead of STS_HSM_PIN; one trailing newline is ignored). */
  @IsOptional()
  @IsString()
  STS_HSM_PIN_FILE?: string;

  /**
   * C_Initialize parameters for modules that take them (NSS's softokn: its database directory,
   * e.g. `configdir='sql:/var/lib/sts/nssdb' certPrefix='' keyPrefix='' secmod='secmod.db' flags=`).
   */
  @IsOptional()
  @IsString()
  STS_HSM_LIBRARY_PARAMETERS?: string;

  /**
   * Most asynchronous token calls in flight at once in this process (derivations, signatures,
   * encryptions, wraps); size it below the HSM's session limit divided by the processes.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  STS_HSM_MAX_IN_FLIGHT = 8;

  /** How long one token call may take before it answers 503 and the token is reconnected. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600000)
  STS_HSM_CALL_TIMEOUT_MS = 5000;

  /** `production` refuses development tokens and PINs (see {@link productionProblems}). */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  /** Read by docker/entrypoint.sh: 1 creates a SoftHSM token on first start (never production). */
  @IsOptional()
  @IsString()
  STS_SOFTHSM_INIT?: string;

  /** Label of the audit checkpoint signing key pair in the token (created on first start). */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  STS_AUDIT_KEY_LABEL = 'sts-audit';

  /** A signed checkpoint is written after this many audit events. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  STS_AUDIT_CHECKPOINT_EVERY = 1000;

  /** And at least this often when events are waiting (0 disables the timer). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  STS_AUDIT_CHECKPOINT_SECONDS = 300;

  /**
   * A file outside the database to which every signed checkpoint is appended as one JSON line
   * (absolute path; its directory must exist), for an operator to ship to another host.
   */
  @IsOptional()
  @IsString()
  @Matches(/^\//, { message: 'must be an absolute path' })
  STS_AUDIT_CHECKPOINT_SINK?: string;

  /** Approvals needed besides the requester's own request. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(9)
  STS_APPROVAL_QUORUM = 1;

  /** How long an approval request stays open. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  STS_APPROVAL_TTL_SECONDS = 86_400;

  /**
   * How long an enrolment key (an API key issued by someone other than its holder) may wait to
   * be exchanged for the holder's own key before it stops working.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30 * 24)
  STS_ENROLMENT_TTL_HOURS = 72;

  /** How often scheduled key transitions (supersession, expiry) and approval expiry are applied. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  STS_SCHEDULER_SECONDS = 30;

  /**
   * How long a process reuses a verified API key's principal (roles, scope, state) before reading
   * it again: a change made through another process takes effect within this time (changes made
   * through this process at once). 0 reads the principal on every request.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  STS_AUTH_CACHE_MS = 1000;

  /** The first wait before reconnecting to an unreachable PostgreSQL (doubles, with jitter). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  STS_DB_RECONNECT_MIN_MS = 250;

  /** The longest wait between reconnect attempts. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300_000)
  STS_DB_RECONNECT_MAX_MS = 10_000;

  /** How often a campaign worker process records that it is alive. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  STS_CAMPAIGN_HEARTBEAT_MS = 5000;

  /**
   * A worker silent for this long counts as dead: the chunks it held are taken over by a live
   * worker (and with none alive, running campaigns say `stalled`, `no_live_worker`). At least
   * twice the heartbeat.
   */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  @Max(600_000)
  STS_CAMPAIGN_TAKEOVER_MS = 20_000;

  /** The window of a campaign's rate and ETA: meters committed in the last this many seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(3600)
  STS_CAMPAIGN_RATE_WINDOW_SECONDS = 60;

  /**
   * Tries of a chunk that fails for a reason other than an outage (an error the token or the
   * database gives for that chunk): after the last one the chunk is marked failed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  STS_CAMPAIGN_CHUNK_ATTEMPTS = 5;

  /**
   * Whether this process works campaign chunks: 0 makes an API-only replica (default 1).
   */
  @IsIn(['0', '1'])
  KEY_SERVICE_CAMPAIGN_WORKER: '0' | '1' = '1';

  /**
   * How far ahead of the current minute TIDs for one meter may run when several tokens are
   * issued in the same minute (each takes the next free minute). Beyond it: 422 with the seconds
   * until a minute is free. Default 50, no more than the meter's TID memory (the virtual meter's
   * 50), so that the tokens of one burst are accepted in whatever order they are entered
   * (docs/vending.md, "Why 50 minutes").
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_080)
  STS_VENDING_TID_WINDOW_MINUTES = 50;

  /** How long Idempotency-Key records are kept (at least 24 h). */
  @Transform(toInt)
  @IsInt()
  @Min(24)
  @Max(24 * 90)
  STS_VENDING_IDEMPOTENCY_HOURS = 48;

  /** How often expired Idempotency-Key records are cleared (0: never; tests). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  STS_VENDING_PURGE_SECONDS = 3600;

  /** How long a process reuses a client profile (rate limits, allowed subclasses) and active transport key it has read. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  STS_VENDING_PROFILE_CACHE_MS = 1000;

  @IsIn(['error', 'warn', 'info', 'debug'])
  STS_LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug' = 'info';
}

export type LogLevel = EnvironmentVariables['STS_LOG_LEVEL'];

/** The validated configuration the service runs with. */
export interface AppConfig {
  readonly database:
    | { readonly type: 'sqlite'; readonly path: string }
    | { readonly type: 'postgres'; readonly url: string; readonly schema: string };
  readonly http: { readonly host: string; readonly port: number };
  readonly hsm: {
    readonly module: string;
    readonly tokenLabel: string;
    readonly pin: string;
    readonly maxInFlight: number;
    readonly callTimeoutMs: number;
    readonly libraryParameters?: string;
  };
  readonly audit: {
    readonly keyLabel: string;
    readonly checkpointEvery: number;
    readonly checkpointSeconds: number;
    /** Absolute path of the checkpoint copy (JSON Lines), when configured. */
    readonly checkpointSink?: string;
  };
  readonly approvals: { readonly quorum: number; readonly ttlSeconds: number };
  readonly enrolmentTtlSeconds: number;
  readonly schedulerSeconds: number;
  readonly authCacheMs: number;
  readonly logLevel: LogLevel;
  /** Reconnecting to an unreachable PostgreSQL (database-gate.ts). */
  readonly reconnect: { readonly minDelayMs: number; readonly maxDelayMs: number };
  readonly campaigns: CampaignLivenessConfig;
  /** Whether this process works campaign chunks (false: an API-only replica). */
  readonly campaignWorker: boolean;
  readonly vending: VendingConfig;
}

/** The vending interface (vending/). */
export interface VendingConfig {
  readonly tidWindowMinutes: number;
  readonly idempotencyHours: number;
  readonly purgeSeconds: number;
  readonly profileCacheMs: number;
}

/** The defaults of {@link VendingConfig}, as loadConfig gives them. */
export const DEFAULT_VENDING: VendingConfig = {
  tidWindowMinutes: 50,
  idempotencyHours: 48,
  purgeSeconds: 3600,
  profileCacheMs: 1000,
};

/** Campaign worker liveness and progress (campaigns/campaign-liveness.ts). */
export interface CampaignLivenessConfig {
  readonly heartbeatMs: number;
  readonly takeoverMs: number;
  readonly rateWindowSeconds: number;
  readonly chunkAttempts: number;
}

/** The defaults of {@link CampaignLivenessConfig} and the reconnect delays, as loadConfig gives them. */
export const DEFAULT_CAMPAIGN_LIVENESS: CampaignLivenessConfig = {
  heartbeatMs: 5000,
  takeoverMs: 20_000,
  rateWindowSeconds: 60,
  chunkAttempts: 5,
};
export const DEFAULT_RECONNECT = { minDelayMs: 250, maxDelayMs: 10_000 } as const;

/**
 * Thrown when the environment is invalid; the message names every bad variable and never holds
 * the value of a sensitive one.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

interface Problem {
  readonly variable: string;
  readonly reason: string;
}

/** The token PIN from STS_HSM_PIN or STS_HSM_PIN_FILE (exactly one), with the variable it came from. */
function readPin(vars: EnvironmentVariables): { pin: string; from: string } | Problem {
  if (vars.STS_HSM_PIN !== undefined && vars.STS_HSM_PIN_FILE !== undefined) {
    return { variable: 'STS_HSM_PIN_FILE', reason: 'and STS_HSM_PIN are mutually exclusive' };
  }
  if (vars.STS_HSM_PIN !== undefined) return { pin: vars.STS_HSM_PIN, from: 'STS_HSM_PIN' };
  if (vars.STS_HSM_PIN_FILE === undefined) {
    return {
      variable: 'STS_HSM_PIN',
      reason: 'is required (user PIN of the token), or STS_HSM_PIN_FILE naming a file holding it',
    };
  }
  let text: string;
  try {
    text = readFileSync(vars.STS_HSM_PIN_FILE, 'utf8');
  } catch {
    return { variable: 'STS_HSM_PIN_FILE', reason: 'names a file that cannot be read' };
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '' || /[\r\n]/.test(pin)) {
    return { variable: 'STS_HSM_PIN_FILE', reason: 'must hold the PIN on one line' };
  }
  return { pin, from: 'STS_HSM_PIN_FILE' };
}

/**
 * With NODE_ENV=production: the development token's label, its public PIN, and the entrypoint's
 * SoftHSM token creation are refused, each naming its variable.
 */
function productionProblems(vars: EnvironmentVariables, pin: string, pinFrom: string): Problem[] {
  if (vars.NODE_ENV !== 'production') return [];
  const problems: Problem[] = [];
  const refused = 'is refused with NODE_ENV=production';
  if (vars.STS_HSM_TOKEN_LABEL === DEV_TOKEN_LABEL) {
    problems.push({
      variable: 'STS_HSM_TOKEN_LABEL',
      reason: `names the development token (${DEV_TOKEN_LABEL}): ${refused}`,
    });
  }
  if (pin === DEV_TOKEN_PIN) {
    problems.push({ variable: pinFrom, reason: `holds the public development PIN: ${refused}` });
  }
  if (vars.STS_SOFTHSM_INIT !== undefined && vars.STS_SOFTHSM_INIT !== '0') {
    problems.push({
      variable: 'STS_SOFTHSM_INIT',
      reason: `asks for a SoftHSM token created at start: ${refused}`,
    });
  }
  return problems;
}

/**
 * Validates `env` and returns the configuration, or throws `ConfigError` naming each bad
 * variable (values of sensitive variables are never included). Once read, the token PIN is
 * deleted from `env` (the caller passes `process.env`), so nothing later in the process, nor a
 * child it starts, finds it there.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[key] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(vars, { whitelist: false, forbidUnknownValues: true });
  const problems: Problem[] = errors.map((e) => ({
    variable: e.property,
    reason: Object.values(e.constraints ?? {}).join('; ') || 'is invalid',
  }));
  if (!problems.some((p) => p.variable === 'STS_HSM_MODULE') && !existsSync(vars.STS_HSM_MODULE)) {
    problems.push({ variable: 'STS_HSM_MODULE', reason: 'names a file that does not exist' });
  }
  const read = readPin(vars);
  const pin = 'pin' in read ? read.pin : '';
  if ('pin' in read) {
    readSecrets.add(pin);
    delete env.STS_HSM_PIN;
    problems.push(...productionProblems(vars, pin, read.from));
  } else {
    problems.push(read);
  }
  const sink = vars.STS_AUDIT_CHECKPOINT_SINK;
  if (
    !problems.some((p) => p.variable === 'STS_AUDIT_CHECKPOINT_SINK') &&
    sink !== undefined &&
    !(isAbsolute(sink) && existsSync(dirname(sink)))
  ) {
    problems.push({
      variable: 'STS_AUDIT_CHECKPOINT_SINK',
      reason: 'names a file in a directory that does not exist',
    });
  }
  if (vars.STS_DB_RECONNECT_MAX_MS < vars.STS_DB_RECONNECT_MIN_MS) {
    problems.push({
      variable: 'STS_DB_RECONNECT_MAX_MS',
      reason: 'must be at least STS_DB_RECONNECT_MIN_MS',
    });
  }
  if (vars.STS_CAMPAIGN_TAKEOVER_MS < 2 * vars.STS_CAMPAIGN_HEARTBEAT_MS) {
    problems.push({
      variable: 'STS_CAMPAIGN_TAKEOVER_MS',
      reason: 'must be at least twice STS_CAMPAIGN_HEARTBEAT_MS',
    });
  }
  if (problems.length > 0) {
    const text = problems
      .map((p) => `${p.variable} ${p.reason.replace(new RegExp(`^${p.variable}\\s*`), '')}`)
      .join('; ');
    throw new ConfigError(
      problems.map((p) => p.variable),
      redactSecrets(`Invalid configuration: ${text}`, env),
    );
  }
  return {
    database: vars.DATABASE_URL
      ? { type: 'postgres', url: vars.DATABASE_URL, schema: vars.STS_DB_SCHEMA }
      : { type: 'sqlite', path: resolve(vars.STS_DATA_DIR, 'key-service.sqlite') },
    http: { host: vars.HOST, port: vars.PORT },
    hsm: {
      module: vars.STS_HSM_MODULE,
      tokenLabel: vars.STS_HSM_TOKEN_LABEL,
      pin,
      maxInFlight: vars.STS_HSM_MAX_IN_FLIGHT,
      callTimeoutMs: vars.STS_HSM_CALL_TIMEOUT_MS,
      ...(vars.STS_HSM_LIBRARY_PARAMETERS
        ? { libraryParameters: vars.STS_HSM_LIBRARY_PARAMETERS }
        : {}),
    },
    audit: {
      keyLabel: vars.STS_AUDIT_KEY_LABEL,
      checkpointEvery: vars.STS_AUDIT_CHECKPOINT_EVERY,
      checkpointSeconds: vars.STS_AUDIT_CHECKPOINT_SECONDS,
      ...(sink !== undefined ? { checkpointSink: sink } : {}),
    },
    approvals: { quorum: vars.STS_APPROVAL_QUORUM, ttlSeconds: vars.STS_APPROVAL_TTL_SECONDS },
    enrolmentTtlSeconds: vars.STS_ENROLMENT_TTL_HOURS * 3600,
    schedulerSeconds: vars.STS_SCHEDULER_SECONDS,
    authCacheMs: vars.STS_AUTH_CACHE_MS,
    logLevel: vars.STS_LOG_LEVEL,
    reconnect: {
      minDelayMs: vars.STS_DB_RECONNECT_MIN_MS,
      maxDelayMs: vars.STS_DB_RECONNECT_MAX_MS,
    },
    campaigns: {
      heartbeatMs: vars.STS_CAMPAIGN_HEARTBEAT_MS,
      takeoverMs: vars.STS_CAMPAIGN_TAKEOVER_MS,
      rateWindowSeconds: vars.STS_CAMPAIGN_RATE_WINDOW_SECONDS,
      chunkAttempts: vars.STS_CAMPAIGN_CHUNK_ATTEMPTS,
    },
    campaignWorker: vars.KEY_SERVICE_CAMPAIGN_WORKER === '1',
    vending: {
      tidWindowMinutes: vars.STS_VENDING_TID_WINDOW_MINUTES,
      idempotencyHours: vars.STS_VENDING_IDEMPOTENCY_HOURS,
      purgeSeconds: vars.STS_VENDING_PURGE_SECONDS,
      profileCacheMs: vars.STS_VENDING_PROFILE_CACHE_MS,
    },
  };
}

/** Injection token for `AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
