import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_VENDING,
  DEV_TOKEN_LABEL,
  DEV_TOKEN_PIN,
  SENSITIVE_VARIABLES,
  loadConfig,
  redactSecrets,
} from './app-config';

const BASE = {
  STS_HSM_MODULE: __filename,
  STS_HSM_TOKEN_LABEL: 'sts-dev',
  STS_HSM_PIN: 'secret-pin-4711',
};

function failure(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('loadConfig', () => {
  it('uses the embedded SQLite defaults when only the token is configured', () => {
    const config = loadConfig({ ...BASE });
    expect(config.database.type).toBe('sqlite');
    expect(config.approvals.quorum).toBe(1);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
  });

  it('selects PostgreSQL from DATABASE_URL', () => {
    const config = loadConfig({
      ...BASE,
      DATABASE_URL: 'postgres://u@db:5432/sts',
      STS_DB_SCHEMA: 'keys',
    });
    expect(config.database).toEqual({
      type: 'postgres',
      url: 'postgres://u@db:5432/sts',
      schema: 'keys',
    });
  });

  it('fails closed naming each missing variable', () => {
    expect(failure({}).variables).toEqual(
      expect.arrayContaining(['STS_HSM_MODULE', 'STS_HSM_TOKEN_LABEL', 'STS_HSM_PIN']),
    );
  });

  it('names the bad variable and never echoes a secret value', () => {
    const error = failure({ ...BASE, PORT: '70000', DATABASE_URL: 'mysql://user:hunter2@db/sts' });
    expect([...error.variables].sort()).toEqual(['DATABASE_URL', 'PORT']);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain(BASE.STS_HSM_PIN);
  });

  it('refuses a PKCS#11 module path that does not exist', () => {
    expect(failure({ ...BASE, STS_HSM_MODULE: '/nonexistent/libsofthsm2.so' }).variables).toEqual([
      'STS_HSM_MODULE',
    ]);
  });

  it('refuses a quorum below one', () => {
    expect(failure({ ...BASE, STS_APPROVAL_QUORUM: '0' }).variables).toEqual([
      'STS_APPROVAL_QUORUM',
    ]);
  });

  it('takes an absolute checkpoint sink path in an existing directory, and nothing else', () => {
    expect(loadConfig({ ...BASE }).audit.checkpointSink).toBeUndefined();
    const sink = `${__dirname}/checkpoints.jsonl`;
    expect(loadConfig({ ...BASE, STS_AUDIT_CHECKPOINT_SINK: sink }).audit.checkpointSink).toBe(
      sink,
    );
    for (const bad of ['checkpoints.jsonl', '/nonexistent-dir/checkpoints.jsonl']) {
      expect(failure({ ...BASE, STS_AUDIT_CHECKPOINT_SINK: bad }).variables).toEqual([
        'STS_AUDIT_CHECKPOINT_SINK',
      ]);
    }
  });

  it('marks the token PIN and the database URL sensitive', () => {
    expect([...SENSITIVE_VARIABLES].sort()).toEqual(['DATABASE_URL', 'STS_HSM_PIN']);
  });
});

describe('the token PIN', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sts-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pinFile = (name: string, content: string): string => {
    const file = join(dir, name);
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  };
  const withoutPin = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...BASE };
    delete env.STS_HSM_PIN;
    return env;
  };

  it('is removed from the environment once read', () => {
    const env: NodeJS.ProcessEnv = { ...BASE };
    expect(loadConfig(env).hsm.pin).toBe(BASE.STS_HSM_PIN);
    expect(env).not.toHaveProperty('STS_HSM_PIN');
    expect(env.STS_HSM_TOKEN_LABEL).toBe(BASE.STS_HSM_TOKEN_LABEL);
  });

  it('stays redacted in messages after it left the environment', () => {
    const env: NodeJS.ProcessEnv = { ...BASE, STS_HSM_PIN: 'only-in-memory-9137' };
    loadConfig(env);
    expect(redactSecrets('login with only-in-memory-9137 failed', env)).toBe(
      'login with [redacted] failed',
    );
  });

  it('comes from STS_HSM_PIN_FILE, without its trailing newline', () => {
    const env = { ...withoutPin(), STS_HSM_PIN_FILE: pinFile('pin', 'from-a-file-2718\n') };
    expect(loadConfig(env).hsm.pin).toBe('from-a-file-2718');
  });

  it('refuses STS_HSM_PIN_FILE together with STS_HSM_PIN', () => {
    const env = { ...BASE, STS_HSM_PIN_FILE: pinFile('both', 'from-a-file-2718\n') };
    const error = failure(env);
    expect(error.variables).toEqual(['STS_HSM_PIN_FILE']);
    expect(error.message).not.toContain(BASE.STS_HSM_PIN);
  });

  it('refuses a PIN file that is missing, unreadable, empty or longer than one line', () => {
    const unreadable = pinFile('unreadable', 'x\n');
    chmodSync(unreadable, 0o000);
    const files = [
      join(dir, 'missing'),
      pinFile('empty', ''),
      pinFile('two-lines', 'first-1111\nsecond-2222\n'),
      ...(process.getuid?.() === 0 ? [] : [unreadable]), // root reads a mode 000 file
    ];
    for (const file of files) {
      const error = failure({ ...withoutPin(), STS_HSM_PIN_FILE: file });
      expect(error.variables).toEqual(['STS_HSM_PIN_FILE']);
      expect(error.message).not.toContain('second-2222');
    }
  });

  it('is required from one of the two variables', () => {
    expect(failure(withoutPin()).message).toMatch(/STS_HSM_PIN is required.*STS_HSM_PIN_FILE/);
  });
});

describe('NODE_ENV=production', () => {
  const PRODUCTION = { ...BASE, NODE_ENV: 'production', STS_HSM_TOKEN_LABEL: 'sts-prod' };

  it('starts with a token of its own and a PIN that is not the development one', () => {
    expect(loadConfig({ ...PRODUCTION }).hsm.tokenLabel).toBe('sts-prod');
  });

  it('refuses the development token label, naming STS_HSM_TOKEN_LABEL', () => {
    const error = failure({ ...PRODUCTION, STS_HSM_TOKEN_LABEL: DEV_TOKEN_LABEL });
    expect(error.variables).toEqual(['STS_HSM_TOKEN_LABEL']);
  });

  it('refuses the development PIN, naming the variable it came from', () => {
    expect(failure({ ...PRODUCTION, STS_HSM_PIN: DEV_TOKEN_PIN }).variables).toEqual([
      'STS_HSM_PIN',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'sts-config-'));
    try {
      const file = join(dir, 'pin');
      writeFileSync(file, `${DEV_TOKEN_PIN}\n`);
      const env: NodeJS.ProcessEnv = { ...PRODUCTION, STS_HSM_PIN_FILE: file };
      delete env.STS_HSM_PIN;
      expect(failure(env).variables).toEqual(['STS_HSM_PIN_FILE']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses STS_SOFTHSM_INIT, naming it', () => {
    expect(failure({ ...PRODUCTION, STS_SOFTHSM_INIT: '1' }).variables).toEqual([
      'STS_SOFTHSM_INIT',
    ]);
  });

  it('names all three at once', () => {
    const error = failure({
      ...PRODUCTION,
      STS_HSM_TOKEN_LABEL: DEV_TOKEN_LABEL,
      STS_HSM_PIN: DEV_TOKEN_PIN,
      STS_SOFTHSM_INIT: '1',
    });
    expect([...error.variables].sort()).toEqual([
      'STS_HSM_PIN',
      'STS_HSM_TOKEN_LABEL',
      'STS_SOFTHSM_INIT',
    ]);
  });

  it('gives the vending defaults, which keep idempotency records at least 24 h', () => {
    expect(loadConfig({ ...BASE }).vending).toEqual(DEFAULT_VENDING);
    expect(DEFAULT_VENDING).toEqual({
      tidWindowMinutes: 50,
      idempotencyHours: 48,
      purgeSeconds: 3600,
      profileCacheMs: 1000,
    });
  });

  it('reads the vending variables', () => {
    expect(
      loadConfig({
        ...BASE,
        STS_VENDING_TID_WINDOW_MINUTES: '300',
        STS_VENDING_IDEMPOTENCY_HOURS: '24',
      }).vending,
    ).toMatchObject({ tidWindowMinutes: 300, idempotencyHours: 24 });
  });

  it('refuses bad vending variables, naming each', () => {
    const error = failure({
      ...BASE,
      STS_VENDING_IDEMPOTENCY_HOURS: '23',
      STS_VENDING_TID_WINDOW_MINUTES: 'x',
    });
    expect([...error.variables].sort()).toEqual([
      'STS_VENDING_IDEMPOTENCY_HOURS',
      'STS_VENDING_TID_WINDOW_MINUTES',
    ]);
  });

  it('works campaign chunks unless KEY_SERVICE_CAMPAIGN_WORKER=0, and refuses other values', () => {
    expect(loadConfig({ ...BASE }).campaignWorker).toBe(true);
    expect(loadConfig({ ...BASE, KEY_SERVICE_CAMPAIGN_WORKER: '1' }).campaignWorker).toBe(true);
    expect(loadConfig({ ...BASE, KEY_SERVICE_CAMPAIGN_WORKER: '0' }).campaignWorker).toBe(false);
    expect(failure({ ...BASE, KEY_SERVICE_CAMPAIGN_WORKER: 'yes' }).variables).toEqual([
      'KEY_SERVICE_CAMPAIGN_WORKER',
    ]);
  });

  it('leaves development settings alone outside production', () => {
    const config = loadConfig({
      ...BASE,
      NODE_ENV: 'development',
      STS_HSM_TOKEN_LABEL: DEV_TOKEN_LABEL,
      STS_HSM_PIN: DEV_TOKEN_PIN,
      STS_SOFTHSM_INIT: '1',
    });
    expect(config.hsm).toMatchObject({ tokenLabel: DEV_TOKEN_LABEL, pin: DEV_TOKEN_PIN });
  });
});

describe('redactSecrets', () => {
  const env = {
    ...BASE,
    DATABASE_URL: 'postgres://sts:p%40ss%3Aword@db:5432/sts',
    STS_HSM_TOKEN_LABEL: 'sts-dev',
  };

  it('removes the PIN, the database URL and its password, as written and decoded', () => {
    const text = [
      `login with ${BASE.STS_HSM_PIN} failed`,
      `connect ${env.DATABASE_URL} failed`,
      'password p%40ss%3Aword or p@ss:word rejected',
    ].join('; ');
    const out = redactSecrets(text, env);
    for (const secret of [BASE.STS_HSM_PIN, env.DATABASE_URL, 'p%40ss%3Aword', 'p@ss:word']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toBe(
      'login with [redacted] failed; connect [redacted] failed; password [redacted] or [redacted] rejected',
    );
  });

  it('leaves values that are not secret alone', () => {
    expect(redactSecrets('token sts-dev not found', env)).toBe('token sts-dev not found');
    expect(redactSecrets('no secrets configured', {})).toBe('no secrets configured');
  });
});
