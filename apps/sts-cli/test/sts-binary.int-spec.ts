import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadVectors } from '../../../libs/sts-core/test/vectors';

const BIN = join(__dirname, '..', 'bin', 'sts.js');
const CLASS1 = '{"id":7,"op":"class1","subclass":0,"control":2,"manufacturerCode":0}';
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

  it('sts batch takes a BOM, CRLF, blank lines, a bad first line and no final newline', () => {
    const run = sts(['batch'], `\ufeffnot json\r\n\r\n${CLASS1}\r\n[1]\r\n${CLASS1}`);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').map((l) => (l === '' ? l : (JSON.parse(l) as unknown)))).toEqual([
      { id: null, error: { code: 'INVALID_JSON', message: 'line 1: is not valid JSON' } },
      { id: 7, token: '00000000000167774880' },
      { error: expect.objectContaining({ code: 'INVALID_INPUT', field: 'request' }) as unknown },
      { id: 7, token: '00000000000167774880' },
      '',
    ]);
    expect(sts(['batch'], '').status).toBe(0);
  });

  it('sts batch answers each line while stdin is still open', async () => {
    const child = spawn(process.execPath, [BIN, 'batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.write(`${CLASS1}\n`);
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    expect(first.toString()).toBe('{"id":7,"token":"00000000000167774880"}\n');
    child.stdin.end();
    expect((await once(child, 'close'))[0]).toBe(0);
  });

  it('sts batch exits quietly with 0 when its reader goes away (EPIPE)', async () => {
    const child = spawn(process.execPath, [BIN, 'batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // the child may be gone before we stop writing
    const feed = () => {
      while (child.stdin.writable && child.stdin.write(`${CLASS1}\n`.repeat(1000)));
    };
    child.stdin.on('drain', feed);
    feed();
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'close')) as [number];
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
