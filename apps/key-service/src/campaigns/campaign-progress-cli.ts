/**
 * `key-service campaign-progress <id>`: follows a rekey campaign through the API and draws a
 * progress bar (counts, recent rate, ETA) until the campaign ends. A campaign that stands still
 * shows `STALLED` with the cause and since when instead of an ETA; while the service answers 503
 * (its database or token unavailable) the command says so and keeps following. The API key comes
 * from the environment (KEY_SERVICE_API_KEY), never the command line, so that it stays out of
 * `ps`.
 */

export const CAMPAIGN_PROGRESS_USAGE = `  campaign-progress <campaign-id> [--url URL] [--interval SECONDS] [--once]
                               follow a rekey campaign with a progress bar until it ends
                               (API key in KEY_SERVICE_API_KEY; URL default http://127.0.0.1:3000)
`;

interface Progress {
  total: number;
  issued: number;
  /** Meters found on the target key already (absent from services before it was counted). */
  moved?: number;
  failed: number;
  pending: number;
  percent: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  stalled?: { cause: string; since: string } | null;
}

interface CampaignView {
  id: string;
  name: string;
  state: string;
  progress: Progress;
  failureCode: string | null;
}

export interface ProgressIo {
  readonly env: NodeJS.ProcessEnv;
  readonly write: (text: string) => void;
  readonly tty: boolean;
  readonly sleep: (ms: number) => Promise<void>;
}

const ENDED = ['completed', 'failed', 'cancelled'];
const WIDTH = 30;

function duration(seconds: number | null): string {
  if (seconds === null) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** What stands in the ETA's place while the campaign is stalled: cause and how long. */
function stallText(stalled: { cause: string; since: string }, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - Date.parse(stalled.since)) / 1000);
  return `STALLED ${duration(seconds)} (${stalled.cause.replace(/_/g, ' ')})`;
}

/**
 * One line: `[#####.....]  42.0%  420/1000 (417 issued, 3 failed)  850/s  ETA 00:01  running` (with
 * `, 5 moved` for meters moved at purchase), or
 * `... 0/s  STALLED 01:10 (no live worker)  running` while nothing moves.
 */
export function progressLine(c: CampaignView, now: Date = new Date()): string {
  const p = c.progress;
  const filled = Math.min(WIDTH, Math.floor((p.percent / 100) * WIDTH));
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
  const moved = p.moved ?? 0;
  const done = p.issued + moved + p.failed;
  const eta = p.stalled ? stallText(p.stalled, now) : `ETA ${duration(p.etaSeconds)}`;
  return (
    `${bar} ${p.percent.toFixed(1).padStart(5)}%  ${done}/${p.total} ` +
    `(${p.issued} issued, ${moved > 0 ? `${moved} moved, ` : ''}${p.failed} failed)  ` +
    `${p.ratePerSecond}/s  ` +
    `${eta}  ${c.state}${c.failureCode ? ` ${c.failureCode}` : ''}`
  );
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Runs the command. Exit codes: 0 completed, 1 failed or cancelled (or an API error), 2 usage.
 */
export async function campaignProgress(args: string[], io: ProgressIo): Promise<number> {
  const id = args.find(
    (a, i) => !a.startsWith('--') && !['--url', '--interval'].includes(args[i - 1]),
  );
  const key = io.env.KEY_SERVICE_API_KEY;
  const base = (option(args, '--url') ?? io.env.KEY_SERVICE_URL ?? 'http://127.0.0.1:3000').replace(
    /\/+$/,
    '',
  );
  const interval = Number(option(args, '--interval') ?? '1');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || !Number.isFinite(interval) || interval <= 0) {
    io.write(`usage:\n${CAMPAIGN_PROGRESS_USAGE}`);
    return 2;
  }
  if (!key) {
    io.write('campaign-progress: set KEY_SERVICE_API_KEY to a security officer or auditor key\n');
    return 2;
  }
  for (;;) {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/campaigns/${id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
    } catch (error) {
      io.write(`\ncampaign-progress: ${base} unreachable (${(error as Error).message})\n`);
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 503 && !args.includes('--once')) {
      // The service is up but cannot reach its database or token: no progress can be read.
      const wait = Number(res.headers.get('retry-after') ?? '') || interval;
      const line = `service unavailable (${typeof body.code === 'string' ? body.code : 'HTTP 503'}), retrying in ${wait}s`;
      io.write(io.tty ? `\r${line}` : `${line}\n`);
      await io.sleep(Math.max(wait, interval) * 1000);
      continue;
    }
    if (res.status !== 200) {
      io.write(
        `\ncampaign-progress: HTTP ${res.status} ${typeof body.code === 'string' ? body.code : ''}\n`,
      );
      return 1;
    }
    const view = body as unknown as CampaignView;
    const line = progressLine(view);
    io.write(io.tty ? `\r${line}` : `${line}\n`);
    if (ENDED.includes(view.state) || args.includes('--once')) {
      if (io.tty) io.write('\n');
      return view.state === 'completed' || !ENDED.includes(view.state) ? 0 : 1;
    }
    await io.sleep(interval * 1000);
  }
}
