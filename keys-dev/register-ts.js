// DEVELOPMENT ONLY. Lets development scripts and the integration tests' child processes run
// TypeScript sources directly, as ts-jest does inside jest: transpile-only, with the @sts/*
// path aliases of the root tsconfig.json.
// Usage: node --require ./keys-dev/register-ts.js <file.ts>
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const aliases = {
  '@sts/core': path.join(root, 'libs', 'sts-core', 'src', 'index.ts'),
  '@sts/hsm': path.join(root, 'libs', 'hsm', 'src', 'index.ts'),
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, ...rest) {
  return resolveFilename.call(this, aliases[request] ?? request, ...rest);
};

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  module._compile(outputText, filename);
};
