import { ConfigError, SENSITIVE_VARIABLES, loadConfig, redactSecrets } from './app-config';

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
    const config = loadConfig(BASE);
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
    expect(loadConfig(BASE).audit.checkpointSink).toBeUndefined();
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
