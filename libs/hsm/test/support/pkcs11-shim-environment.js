// Jest test environment for tests through the PKCS#11 latency and fault shim
// (test/pkcs11-shim): a fresh SoftHSM token as in softhsm-environment.js, the shim built by
// scripts/build-pkcs11-shim.sh, and its control file in the token's directory. Opt in per file:
//   /** @jest-environment ./libs/hsm/test/support/pkcs11-shim-environment.js */
// The shim reads STS_SHIM_CONTROL and STS_SHIM_TARGET from the real process environment, which
// test files cannot change; this environment sets them.
'use strict';
const { execFileSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const SoftHsmEnvironment = require('./softhsm-environment');

const BUILD = path.resolve(__dirname, '..', '..', '..', '..', 'scripts', 'build-pkcs11-shim.sh');
const SET = ['STS_SHIM_CONTROL', 'STS_SHIM_TARGET'];

class Pkcs11ShimEnvironment extends SoftHsmEnvironment {
  constructor(config, context) {
    super(config, context);
    const shim = execFileSync('bash', [BUILD], { encoding: 'utf8' }).trim();
    const control = path.join(this.token.dir, 'shim-control');
    writeFileSync(control, '');
    this.shimPrevious = {};
    for (const name of SET) this.shimPrevious[name] = process.env[name];
    process.env.STS_SHIM_CONTROL = control;
    process.env.STS_SHIM_TARGET = this.token.env.STS_HSM_MODULE;
    this.global.__STS_HSM_SHIM__ = { module: shim, control };
  }

  async teardown() {
    for (const name of SET) {
      if (this.shimPrevious[name] === undefined) delete process.env[name];
      else process.env[name] = this.shimPrevious[name];
    }
    await super.teardown();
  }
}

module.exports = Pkcs11ShimEnvironment;
