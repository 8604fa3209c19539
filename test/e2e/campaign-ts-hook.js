// Test-only loader for the campaign crash suite: runs a TypeScript entry in a child process
// without a build (transpile-only, the project's path aliases mapped to the sources).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const root = path.resolve(__dirname, '..', '..');
const aliases = {
  '@sts/core': path.join(root, 'libs', 'sts-core', 'src', 'index.ts'),
  '@sts/hsm': path.join(root, 'libs', 'hsm', 'src', 'index.ts'),
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ?? request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  module._compile(out.outputText, filename);
};
require(path.resolve(process.argv[2]));
