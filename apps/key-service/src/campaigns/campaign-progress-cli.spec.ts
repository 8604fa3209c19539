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
  let answers: { status: number; body: unknown; headers?: Record<string, string> }[];
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const a = answers.shift() ?? { status: 500, body: {} };
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
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
    const slept: number[] = [];
    const code = await campaignProgress(args, {
      env,
      write: (t) => out.push(t),
      tty: false,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    return { code, out: out.join(''), slept };
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

  it('counts meters moved at purchase as done and names them', () => {
    const v = view('running', 400, 3);
    const line = progressLine({ ...v, progress: { ...v.progress, moved: 97 } });
    expect(line).toContain('500/1000 (400 issued, 97 moved, 3 failed)');
    expect(progressLine(v)).toContain('403/1000 (400 issued, 3 failed)');
  });

  it('formats a line without ETA when the rate is unknown', () => {
    expect(progressLine(view('paused', 0))).toContain('ETA --:--  paused');
  });

  it('shows STALLED with the cause and how long instead of an ETA', () => {
    const stalled = view('running', 400);
    const line = progressLine(
      {
        ...stalled,
        progress: {
          ...stalled.progress,
          ratePerSecond: 0,
          etaSeconds: null,
          stalled: { cause: 'no_live_worker', since: '2026-01-01T10:00:00.000Z' },
        },
      },
      new Date('2026-01-01T10:01:10.000Z'),
    );
    expect(line).toContain('0/s  STALLED 01:10 (no live worker)  running');
    expect(line).not.toContain('ETA');
  });

  it('keeps following through 503 answers, waiting as Retry-After says', async () => {
    answers = [
      { status: 503, body: { code: 'DATABASE_UNAVAILABLE' }, headers: { 'retry-after': '7' } },
      { status: 200, body: view('completed', 1000) },
    ];
    const { code, out, slept } = await run([ID, '--url', url]);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('service unavailable (DATABASE_UNAVAILABLE), retrying in 7s');
    expect(slept).toEqual([7000]);
    expect(out).toMatch(/100\.0%.*completed/);
  });
});
