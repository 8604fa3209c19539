import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sts_' });
  }
}
