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
});
