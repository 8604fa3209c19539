import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MoreThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { Approval } from './approval.entity';

/** How often new requests are looked for. */
export const NOTIFY_POLL_MS = 1000;
/** How long the webhook has to answer. */
export const NOTIFY_TIMEOUT_MS = 5000;
/** Requests announced per look at most (the rest on the next). */
const BATCH = 100;

/** What the webhook receives for a new request: where to decide it, never a payload or secret. */
export interface ApprovalAnnouncement {
  readonly event: 'approval.requested';
  readonly id: string;
  readonly action: string;
  readonly subjectId: string;
  readonly payloadHash: string;
  readonly requestedBy: string;
  readonly quorum: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The console's inbox, relative to the service's address. */
  readonly review: string;
}

export function announcementOf(a: Approval): ApprovalAnnouncement {
  return {
    event: 'approval.requested',
    id: a.id,
    action: a.action,
    subjectId: a.subjectId,
    payloadHash: a.payloadHash,
    requestedBy: a.requestedBy,
    quorum: a.quorum,
    createdAt: a.createdAt,
    expiresAt: a.expiresAt,
    review: '/console/#/approvals',
  };
}

/**
 * Announces each approval request made after the service started to STS_APPROVAL_WEBHOOK_URL
 * (a JSON POST), so deciders hear of it without anyone passing ids by hand. Best effort: a
 * request is announced once by each serving process that sees it; a webhook that fails or is
 * slow is logged (its origin only) and not retried; the console's inbox is the record.
 */
@Injectable()
export class ApprovalNotifier implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private since = '';
  /** Requests already announced that were created at `since` (ties on the timestamp). */
  private atSince = new Set<string>();
  private busy = false;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.approvals.webhookUrl) return;
    this.since = this.clock.nowIso();
    this.timer = setInterval(() => void this.announceNew(), NOTIFY_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Announces the requests made since the last look; returns how many were sent. */
  async announceNew(): Promise<number> {
    const url = this.config.approvals.webhookUrl;
    if (!url || this.busy) return 0;
    this.busy = true;
    try {
      const rows = await this.tx.read((em) =>
        em.find(Approval, {
          where: { createdAt: MoreThanOrEqual(this.since) },
          order: { createdAt: 'ASC', id: 'ASC' },
          take: BATCH + this.atSince.size,
        }),
      );
      let sent = 0;
      for (const row of rows) {
        if (row.createdAt === this.since && this.atSince.has(row.id)) continue;
        await this.post(url, announcementOf(row));
        if (row.createdAt !== this.since) {
          this.since = row.createdAt;
          this.atSince = new Set();
        }
        this.atSince.add(row.id);
        sent++;
      }
      return sent;
    } catch (error) {
      this.logger.event('warn', 'approval requests could not be read for the webhook', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      return 0;
    } finally {
      this.busy = false;
    }
  }

  private async post(url: string, announcement: ApprovalAnnouncement): Promise<void> {
    const target = new URL(url).origin;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(announcement),
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      });
      if (!res.ok) {
        this.logger.event('warn', 'approval webhook refused the announcement', {
          target,
          status: res.status,
          approvalId: announcement.id,
        });
      }
    } catch (error) {
      this.logger.event('warn', 'approval webhook unreachable', {
        target,
        error: error instanceof Error ? error.name : 'unknown',
        approvalId: announcement.id,
      });
    }
  }
}
