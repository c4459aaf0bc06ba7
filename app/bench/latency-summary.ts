/**
 * Latency summaries for the sync benchmark: percentiles by nearest rank over milliseconds.
 */

/** p50/p99/max of a set of latencies, in milliseconds (rounded to 0.1 ms); null when empty. */
export interface LatencySummary {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** Nearest-rank percentile `p` (0-100) of `sorted` (ascending). */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarizeLatencies(valuesMs: readonly number[]): LatencySummary {
  if (valuesMs.length === 0) return { p50Ms: null, p99Ms: null, maxMs: null };
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(percentile(sorted, 100)),
  };
}
