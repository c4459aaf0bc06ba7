/**
 * The server's own counters, read from its Prometheus `/metrics` before and after each case:
 * bytes on the wire (`ferry_http_bytes_total`, the TCP payload of every connection, HTTP heads
 * included) and requests per route with their total duration. Each scrape uses a connection of
 * its own, whose bytes the bench knows exactly, so the scrapes themselves are left out of the
 * figures.
 */
import http from 'node:http';

/** One scrape: the server's counters, and what the scrape itself cost on the wire. */
export interface CounterSample {
  readonly receivedBytes: number;
  readonly sentBytes: number;
  /** `METHOD route` → requests answered (any status). */
  readonly requests: ReadonlyMap<string, number>;
  /** route → total seconds spent answering (the duration histogram's sum). */
  readonly routeSeconds: ReadonlyMap<string, number>;
  readonly longPollsActive: number;
  /** This scrape's request bytes (already in `receivedBytes`). */
  readonly ownRequestBytes: number;
  /** This scrape's response bytes (counted by the server only in later samples). */
  readonly ownResponseBytes: number;
}

/** What happened on the server between two samples, the bench's scrapes left out. */
export interface CounterWindow {
  /** Client → server bytes (requests of A, B and any light client). */
  readonly bytesUp: number;
  /** Server → client bytes. */
  readonly bytesDown: number;
  readonly blocksUp: number;
  readonly blocksDown: number;
  /** `METHOD route` → { count, ms: total time the server spent answering them }. */
  readonly requests: Record<string, { count: number; ms: number }>;
}

const BLOCK_ROUTE = '/blocks/:namespace/:hash';

function fetchMetrics(baseUrl: string) {
  const url = new URL(baseUrl);
  return new Promise<{ text: string; sent: number; received: number }>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/metrics',
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const socket = req.socket!;
          const done = () =>
            resolve({
              text: Buffer.concat(chunks).toString('utf8'),
              sent: socket.bytesWritten,
              received: socket.bytesRead,
            });
          if (socket.destroyed) done();
          else socket.once('close', done);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

/** Reads the server's counters now. */
export async function sampleCounters(baseUrl: string): Promise<CounterSample> {
  const { text, sent, received } = await fetchMetrics(baseUrl);
  let receivedBytes = 0;
  let sentBytes = 0;
  let longPollsActive = 0;
  const requests = new Map<string, number>();
  const routeSeconds = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, labelText = '', valueText] = match;
    const labels = labelsOf(labelText);
    const value = Number(valueText);
    if (name === 'ferry_http_bytes_total') {
      if (labels.direction === 'received') receivedBytes = value;
      if (labels.direction === 'sent') sentBytes = value;
    } else if (name === 'ferry_http_requests_total') {
      const key = `${labels.method} ${labels.route}`;
      requests.set(key, (requests.get(key) ?? 0) + value);
    } else if (name === 'ferry_http_request_duration_seconds_sum') {
      routeSeconds.set(labels.route!, value);
    } else if (name === 'ferry_longpolls_active') {
      longPollsActive = value;
    }
  }
  return {
    receivedBytes,
    sentBytes,
    requests,
    routeSeconds,
    longPollsActive,
    ownRequestBytes: sent,
    ownResponseBytes: received,
  };
}

/** The counters' change from `before` to `after`, without the two scrapes' own traffic. */
export function counterWindow(before: CounterSample, after: CounterSample): CounterWindow {
  const delta = (key: string) => (after.requests.get(key) ?? 0) - (before.requests.get(key) ?? 0);
  const requests: Record<string, { count: number; ms: number }> = {};
  // A route's duration sum covers every method; it is split by request count when shared.
  const countsByRoute = new Map<string, number>();
  for (const key of after.requests.keys()) {
    const route = key.slice(key.indexOf(' ') + 1);
    countsByRoute.set(route, (countsByRoute.get(route) ?? 0) + delta(key));
  }
  for (const key of after.requests.keys()) {
    const route = key.slice(key.indexOf(' ') + 1);
    const count = delta(key);
    if (count <= 0 || route === '/metrics') continue;
    const seconds = (after.routeSeconds.get(route) ?? 0) - (before.routeSeconds.get(route) ?? 0);
    requests[key] = {
      count,
      ms: Math.round((seconds * 1000 * count) / (countsByRoute.get(route) ?? count)),
    };
  }
  return {
    bytesUp: after.receivedBytes - before.receivedBytes - after.ownRequestBytes,
    bytesDown: after.sentBytes - before.sentBytes - before.ownResponseBytes,
    blocksUp: delta(`PUT ${BLOCK_ROUTE}`),
    blocksDown: delta(`GET ${BLOCK_ROUTE}`),
    requests,
  };
}
