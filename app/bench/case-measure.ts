/**
 * The figures every case of the sync benchmark reports, taken around its timed part: wall time,
 * bytes on the wire and requests (the server's counters), each process's peak RSS in that window
 * (VmHWM reset at the start, read at the end: the kernel's own peak, no sampling gap) and CPU
 * time. MB = 10^6 bytes.
 */
import { cpuTimeMs, peakRssBytes, resetPeakRss } from './proc-stats.js';
import { counterWindow, sampleCounters, type CounterWindow } from './server-counters.js';
import type { SyncBed } from './sync-bed.js';

export interface Measurement {
  readonly seconds: number;
  readonly timedOut: boolean;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly blocksUp: number;
  readonly blocksDown: number;
  /** The larger of A's and B's. */
  readonly peakRssMB: number;
  readonly peakRssAMB: number;
  readonly peakRssBMB: number;
  readonly serverPeakRssMB: number;
  /** CPU seconds used in the window by A, B and the server. */
  readonly cpuSeconds: { readonly a: number; readonly b: number; readonly server: number };
  readonly requests: CounterWindow['requests'];
}

/** The timed part of a case: call `start()` right before the change; resolve with its end. */
export type TimedBody = (start: () => number) => Promise<{ endMs: number | undefined }>;

const mb = (bytes: number) => Math.round(bytes / 1e6);

async function cpuOf(pids: readonly number[]) {
  return Promise.all(pids.map((pid) => cpuTimeMs(pid).catch(() => 0)));
}

/**
 * Runs `body` with the counters, peaks and CPU clocks of the bed's processes taken around it.
 * A device restarted inside `body` is measured from its new start.
 */
export async function measureCase(
  bed: SyncBed,
  body: TimedBody,
): Promise<{ measurement: Measurement; startMs: number }> {
  const pidsBefore = [bed.a.sync.pid, bed.b.sync.pid, bed.server.pid];
  // A device stopped before its case (the start-up case restarts A) has no peak to reset.
  await Promise.all(pidsBefore.map((pid) => resetPeakRss(pid).catch(() => undefined)));
  const cpuBefore = await cpuOf(pidsBefore);
  const before = await sampleCounters(bed.url);
  let startMs: number | undefined;
  const { endMs } = await body(() => (startMs = Date.now()));
  const stoppedMs = Date.now();
  const after = await sampleCounters(bed.url);
  const pidsAfter = [bed.a.sync.pid, bed.b.sync.pid, bed.server.pid];
  const [peakA, peakB, peakServer] = await Promise.all(pidsAfter.map(peakRssBytes));
  const cpuAfter = await cpuOf(pidsAfter);
  const cpu = pidsAfter.map(
    (pid, i) => Math.round((cpuAfter[i]! - (pid === pidsBefore[i] ? cpuBefore[i]! : 0)) / 10) / 100,
  );
  if (startMs === undefined) throw new Error('the case never started its clock');
  const window = counterWindow(before, after);
  return {
    startMs,
    measurement: {
      seconds: Math.round(((endMs ?? stoppedMs) - startMs) / 10) / 100,
      timedOut: endMs === undefined,
      bytesUp: window.bytesUp,
      bytesDown: window.bytesDown,
      blocksUp: window.blocksUp,
      blocksDown: window.blocksDown,
      peakRssMB: mb(Math.max(peakA!, peakB!)),
      peakRssAMB: mb(peakA!),
      peakRssBMB: mb(peakB!),
      serverPeakRssMB: mb(peakServer!),
      cpuSeconds: { a: cpu[0]!, b: cpu[1]!, server: cpu[2]! },
      requests: window.requests,
    },
  };
}
