#!/usr/bin/env node
// @ts-check
'use strict';

// The auditor's command: `node verify-audit.js --public-key audit.pem --fingerprint HEX
// --witness witness.json export.jsonl` (see README.md).
const { verifyAuditCommand } = require('./audit-verifier');

verifyAuditCommand(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (/** @type {unknown} */ error) => {
    process.stderr.write(
      `verify-audit: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
