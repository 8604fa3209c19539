// Jest test environment for PKCS#11 integration tests: gives each test file a fresh SoftHSM
// token made by keys-dev/setup-token.sh in its own temporary directory. Opt in per file with
//   /** @jest-environment ./libs/hsm/test/support/softhsm-environment.js */
//
// Why an environment: SoftHSM reads SOFTHSM2_CONF from the real process environment in
// C_Initialize, and test files only see a copy of process.env. The environment runs outside
// that sandbox, so it can point this process's SoftHSM at the token before the tests start.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const SETUP = path.resolve(__dirname, '..', '..', '..', '..', 'keys-dev', 'setup-token.sh');
const EXPORTED = ['SOFTHSM2_CONF', 'STS_HSM_MODULE', 'STS_HSM_TOKEN_LABEL', 'STS_HSM_PIN'];

/** Parses the `export NAME=value` lines setup-token.sh prints (printf %q of plain values). */
function parseExports(output) {
  const env = {};
  for (const line of output.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match !== null) env[match[1]] = match[2].replace(/\\(.)/g, '$1');
  }
  return env;
}

function createToken(label) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sts-hsm-'));
  try {
    const output = execFileSync(SETUP, {
      env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: label },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { dir, env: parseExports(output) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class SoftHsmEnvironment extends TestEnvironment {
  constructor(config, context) {
    const token = createToken('sts-int');
    const previous = {};
    for (const name of EXPORTED) {
      previous[name] = process.env[name];
      process.env[name] = token.env[name];
    }
    super(config, context);
    this.token = token;
    this.previous = previous;
    this.global.__STS_HSM_TEST_TOKEN__ = { dir: token.dir, env: { ...token.env } };
  }

  async teardown() {
    await super.teardown();
    for (const name of EXPORTED) {
      if (this.previous[name] === undefined) delete process.env[name];
      else process.env[name] = this.previous[name];
    }
    rmSync(this.token.dir, { recursive: true, force: true });
  }
}

module.exports = SoftHsmEnvironment;
