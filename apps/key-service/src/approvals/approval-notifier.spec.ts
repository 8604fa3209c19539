import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import type { AppConfig } from '../config/app-config';
import type { TransactionRunner } from '../database/transaction-runner';
import type { Approval } from './approval.entity';
import { ApprovalNotifier } from './approval-notifier';

function approval(id: string, createdAt: string): Approval {
  return {
    id,
    action: 'key.activate',
    subjectId: 'k1',
    payload: '{"action":"key.activate","params":{"sgc":"600727"},"subjectId":"k1"}',
    payloadHash: 'ab'.repeat(32),
    requestedBy: 'p1',
    quorum: 1,
    state: 'pending',
    createdAt,
    expiresAt: '2026-12-09T00:00:00.000Z',
  } as Approval;
}

describe('approval webhook', () => {
  let server: Server;
  let received: unknown[];
  let status: number;
  let url: string;
  let rows: Approval[];
  const logs: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sts?token=t0ps3cret`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function notifier(webhookUrl: string | undefined) {
    received = [];
    status = 204;
    logs.length = 0;
    const tx = {
      read: (work: (em: unknown) => Promise<unknown>) =>
        work({
          find: (_entity: unknown, options: { where: { createdAt: { value: string } } }) =>
            Promise.resolve(rows.filter((r) => r.createdAt >= options.where.createdAt.value)),
        }),
    } as unknown as TransactionRunner;
    const clock = new (class extends Clock {
      override now() {
        return new Date('2026-12-08T00:00:00.000Z');
      }
    })();
    const config = { approvals: { quorum: 1, ttlSeconds: 60, webhookUrl } } as AppConfig;
    const n = new ApprovalNotifier(tx, clock, new JsonLogger('debug', (l) => logs.push(l)), config);
    n.onModuleInit();
    n.onModuleDestroy();
    return n;
  }

  it('announces each request made since start once, without its payload', async () => {
    rows = [approval('a0', '2026-12-07T23:59:59.000Z'), approval('a1', '2026-12-08T00:00:01.000Z')];
    const n = notifier(url);
    expect(await n.announceNew()).toBe(1);
    expect(received).toEqual([
      {
        event: 'approval.requested',
        id: 'a1',
        action: 'key.activate',
        subjectId: 'k1',
        payloadHash: 'ab'.repeat(32),
        requestedBy: 'p1',
        quorum: 1,
        createdAt: '2026-12-08T00:00:01.000Z',
        expiresAt: '2026-12-09T00:00:00.000Z',
        review: '/console/#/approvals',
      },
    ]);
    rows.push(
      approval('a2', '2026-12-08T00:00:01.000Z'),
      approval('a3', '2026-12-08T00:00:02.000Z'),
    );
    expect(await n.announceNew()).toBe(2);
    expect(received.map((r) => (r as { id: string }).id)).toEqual(['a1', 'a2', 'a3']);
    expect(await n.announceNew()).toBe(0);
  });

  it('logs a refusing or unreachable webhook by its origin only, and goes on', async () => {
    rows = [approval('b1', '2026-12-08T00:00:01.000Z')];
    const n = notifier(url);
    status = 500;
    expect(await n.announceNew()).toBe(1);
    expect(logs.join('\n')).toContain('approval webhook refused the announcement');
    expect(logs.join('\n')).not.toContain('t0ps3cret');
    const unreachable = notifier('http://127.0.0.1:9/none');
    rows.push(approval('b2', '2026-12-08T00:00:02.000Z'));
    expect(await unreachable.announceNew()).toBe(2);
    expect(logs.join('\n')).toContain('approval webhook unreachable');
  });

  it('does nothing without a webhook URL', async () => {
    rows = [approval('c1', '2026-12-08T00:00:01.000Z')];
    expect(await notifier(undefined).announceNew()).toBe(0);
    expect(received).toEqual([]);
  });
});
