// Generates the console's API types (apps/console/src/api/schema.d.ts) from docs/openapi.json
// with openapi-typescript. `--check` fails when the committed file differs (the drift test
// runs it); without it, the file is rewritten (`npm run openapi` does this).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const spec = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const target = fileURLToPath(new URL('../apps/console/src/api/schema.d.ts', import.meta.url));

const HEADER =
  '// Generated from docs/openapi.json by scripts/console-api-types.mjs (openapi-typescript).\n' +
  '// Do not edit: run `npm run openapi`.\n\n';

const ast = await openapiTS(JSON.parse(readFileSync(spec, 'utf8')));
const text = HEADER + astToString(ast);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing: reported below
  }
  if (committed !== text) {
    process.stderr.write(
      'apps/console/src/api/schema.d.ts differs from docs/openapi.json: run `npm run openapi`\n',
    );
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
