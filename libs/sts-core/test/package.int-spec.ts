import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIB = join(__dirname, '..');

describe('@sts/core as a published package', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sts-core-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('npm pack gives a tarball that a plain Node project imports (CommonJS and ESM)', () => {
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = npm(['pack', '--pack-destination', dir, '--silent'], LIB)
      .trim()
      .split('\n')
      .pop() as string;
    const project = join(dir, 'consumer');
    execFileSync('mkdir', [project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    npm(['install', '--no-audit', '--no-fund', '--offline', join(dir, tarball)], project);
    writeFileSync(
      join(project, 'cjs.js'),
      "const s = require('@sts/core'); console.log(s.buildCreditToken(s.createCipher('07', 'e653341f9d5bf36f'), { subclass: 0, rnd: 5, tid: 5871715, amount: 0.1 }));",
    );
    writeFileSync(
      join(project, 'esm.mjs'),
      "import { decodeToken, createCipher } from '@sts/core'; console.log(decodeToken('23716100501183194197', { cipher: createCipher('07', 'e653341f9d5bf36f') }).tid);",
    );
    expect(
      execFileSync(process.execPath, ['cjs.js'], { cwd: project, encoding: 'utf8' }).trim(),
    ).toBe('23716100501183194197');
    expect(
      execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' }).trim(),
    ).toBe('5871715');
  });
});
