import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadVectors } from '../../../libs/sts-core/test/vectors';

const BIN = join(__dirname, '..', 'bin', 'sts.js');
const built = existsSync(join(__dirname, '..', 'dist', 'main.js'));

function sts(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
}

describe('the built sts binary', () => {
  beforeAll(() => {
    if (!built)
      throw new Error('apps/sts-cli is not built: run `npm run build` first (npm test does)');
  });

  it('sts batch passes every conformance vector', () => {
    const vectors = loadVectors();
    const run = sts(['batch'], vectors.map((v) => JSON.stringify(v.request)).join('\n'));
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(vectors.length);
    vectors.forEach((v, i) => {
      expect(lines[i].id).toEqual(v.id);
      if (v.expect.errorPresent === true) expect(lines[i]).toHaveProperty('error.code');
      else expect(lines[i]).toMatchObject(v.expect);
    });
  });

  it('exit codes: 0 success, 2 bad input naming the field, 2 for non-JSON batch input', () => {
    expect(
      sts([
        'class1',
        '--subclass',
        '0',
        '--control',
        '2',
        '--manufacturer-code',
        '0',
      ]).stdout.trim(),
    ).toBe('00000000000167774880');
    const bad = sts([
      'decode',
      '--ea',
      '07',
      '--decoder-key',
      'e653341f9d5bf36f',
      '--token',
      '2371610050118319419X',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('token');
    expect(sts(['batch'], 'not json\n').status).toBe(2);
  });
});
