import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from './generate-openapi';

describe('docs/openapi.json', () => {
  it('matches the document generated from the code (run "npm run openapi" to update it)', async () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', '..', '..', 'docs', 'openapi.json'),
      'utf8',
    );
    expect(await generateOpenApiJson()).toBe(committed);
  });

  it('has the console API types generated from it (run "npm run openapi" to update them)', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    // Exits 1 naming the file when apps/console/src/api/schema.d.ts differs from a fresh generation.
    expect(() =>
      execFileSync(process.execPath, [join(root, 'scripts', 'console-api-types.mjs'), '--check'], {
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});
