import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics, in a registry of this app's own (tests run several apps per process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'sts_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'sts_http_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly auditEvents = new Counter({
    name: 'sts_audit_events_total',
    help: 'Audit events appended to the chain',
    registers: [this.registry],
  });

  readonly auditCheckpointSinkFailures = new Counter({
    name: 'sts_audit_checkpoint_sink_failures_total',
    help: 'Signed audit checkpoints that could not be appended to STS_AUDIT_CHECKPOINT_SINK',
    registers: [this.registry],
  });

  readonly hsmErrors = new Counter({
    name: 'sts_hsm_errors_total',
    help: 'Key-custody errors by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly refusedRequests = new Counter({
    name: 'sts_refused_requests_total',
    help: 'Requests refused with 503 because a dependency is unavailable, by cause',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  readonly dependencyAvailable = new Gauge({
    name: 'sts_dependency_available',
    help: 'Whether the process sees the dependency (database, hsm) as available (1) or not (0)',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  readonly campaignChunkRetries = new Counter({
    name: 'sts_campaign_chunk_retries_total',
    help: 'Campaign chunks that failed and will be tried again, by cause',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  readonly campaignTakeovers = new Counter({
    name: 'sts_campaign_chunk_takeovers_total',
    help: 'Campaign chunks taken over from a worker that stopped heartbeating',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sts_' });
  }
}
