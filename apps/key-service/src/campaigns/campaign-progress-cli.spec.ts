import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { campaignProgress, progressLine } from './campaign-progress-cli';

const ID = '11111111-2222-4333-8444-555555555555';

function view(state: string, issued: number, failed = 0) {
  const total = 1000;
  return {
    id: ID,
    name: 'c',
    state,
    failureCode: state === 'failed' ? 'STS_KEY_NOT_ACTIVE' : null,
    progress: {
      total,
      issued,
      failed,
      pending: total - issued - failed,
      percent: ((issued + failed) / total) * 100,
      ratePerSecond: 250,
      etaSeconds: state === 'running' ? (total - issued - failed) / 250 : null,
    },
  };
}

describe('campaign-progress', () => {
  let server: Server;
  let url: string;
  let answers: { status: number; body: unknown }[];
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const a = answers.shift() ?? { status: 500, body: {} };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  const run = async (
    args: string[],
    env: Record<string, string> = { KEY_SERVICE_API_KEY: 'k' },
  ) => {
    const out: string[] = [];
    const code = await campaignProgress(args, {
      env,
      write: (t) => out.push(t),
      tty: false,
      sleep: () => Promise.resolve(),
    });
    return { code, out: out.join('') };
  };

  it('draws the bar until the campaign completes, then exits 0', async () => {
    answers = [
      { status: 200, body: view('running', 0) },
      { status: 200, body: view('running', 500, 2) },
      { status: 200, body: view('completed', 997, 3) },
    ];
    const { code, out } = await run([ID, '--url', url]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('[###############...............]');
    expect(lines[1]).toContain('502/1000 (500 issued, 2 failed)');
    expect(lines[1]).toContain('ETA 00:02');
    expect(lines[2]).toMatch(/100\.0%.*completed$/);
    expect(seen.at(-1)).toBe(`/api/v1/campaigns/${ID} Bearer k`);
  });

  it('exits 1 for a failed campaign or an API error, 2 for bad usage', async () => {
    answers = [{ status: 200, body: view('failed', 10) }];
    expect((await run([ID, '--url', url])).code).toBe(1);
    answers = [{ status: 404, body: { code: 'NOT_FOUND' } }];
    const missing = await run([ID, '--url', url]);
    expect([missing.code, missing.out]).toEqual([1, '\ncampaign-progress: HTTP 404 NOT_FOUND\n']);
    expect((await run(['not-an-id', '--url', url])).code).toBe(2);
    expect((await run([ID, '--url', url], {})).code).toBe(2);
  });

  it('formats a line without ETA when the rate is unknown', () => {
    expect(progressLine(view('paused', 0))).toContain('ETA --:--  paused');
  });
});
