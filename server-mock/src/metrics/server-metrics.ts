/**
 * Prometheus metrics of one server instance, on its own registry (two servers in one process,
 * as in tests, never collide). Served as text at GET /metrics.
 */
import type { Server } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerConnectionBytes } from './connection-bytes.js';
import { registerProcessMetrics } from './process-metrics.js';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'ferry_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'ferry_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: 'ferry_commits_total',
    help: 'File versions committed',
    registers: [this.registry],
  });
  readonly blocksUploaded = new Counter({
    name: 'ferry_blocks_uploaded_total',
    help: 'Blocks received from clients, one by one or in batches (stored or already present)',
    registers: [this.registry],
  });
  readonly blocksStored = new Counter({
    name: 'ferry_blocks_stored_total',
    help: 'Blocks newly stored (deduplicated ones are not counted)',
    registers: [this.registry],
  });
  readonly blockBytesStored = new Counter({
    name: 'ferry_block_bytes_stored_total',
    help: 'Encoded bytes of newly stored blocks',
    registers: [this.registry],
  });
  readonly longPolls = new Gauge({
    name: 'ferry_longpolls_active',
    help: 'Long-poll requests currently waiting',
    registers: [this.registry],
  });

  /** Counts the bytes on the wire of `server`'s connections (ferry_http_bytes_total). */
  readonly countConnectionBytes: (server: Server) => void;

  constructor() {
    registerProcessMetrics(this.registry, 'ferry_');
    this.countConnectionBytes = registerConnectionBytes(this.registry, 'ferry_');
  }

  /** The metrics in Prometheus text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
