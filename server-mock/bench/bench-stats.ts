/**
 * Latency summaries for the server benchmark: percentiles by nearest rank over milliseconds.
 */

/** p50/p99/max of a set of latencies, in milliseconds (rounded to 0.1 ms). */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Nearest-rank percentile `p` (0-100) of `values`; NaN for an empty set. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Summarises latencies in milliseconds. */
export function summarizeLatencies(valuesMs: readonly number[]): LatencySummary {
  return {
    p50Ms: round(percentile(valuesMs, 50)),
    p99Ms: round(percentile(valuesMs, 99)),
    maxMs: round(percentile(valuesMs, 100)),
  };
}
