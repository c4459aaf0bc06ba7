/**
 * The process metrics Ferry exports, each cheap to collect. prom-client's default collectors
 * are all-or-nothing and include two that cost time proportional to the open connections on
 * every scrape (`readdirSync('/proc/self/fd')` for open file descriptors, and a walk of every
 * active handle): with 2,000 long-polls open a scrape took ~16 ms of the event loop. These read
 * only process counters.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Registers CPU time, start time, RSS and V8 heap/external memory gauges on `registry`. */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  let lastCpu = process.cpuUsage();
  const cpu = new Counter({
    name: `${prefix}process_cpu_seconds_total`,
    help: 'User and system CPU time spent by the process, in seconds',
    registers: [registry],
    collect() {
      const now = process.cpuUsage();
      const deltaMicros = now.user - lastCpu.user + (now.system - lastCpu.system);
      lastCpu = now;
      if (deltaMicros > 0) cpu.inc(deltaMicros / 1e6);
    },
  });
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  new Gauge({
    name: `${prefix}process_start_time_seconds`,
    help: 'Start time of the process since the Unix epoch, in seconds',
    registers: [registry],
    collect() {
      this.set(startSeconds);
    },
  });
  new Gauge({
    name: `${prefix}process_resident_memory_bytes`,
    help: 'Resident memory size, in bytes',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: `${prefix}nodejs_memory_bytes`,
    help: 'V8 heap and external (ArrayBuffer) memory of the main thread, in bytes',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const usage = process.memoryUsage();
      this.set({ kind: 'heap_used' }, usage.heapUsed);
      this.set({ kind: 'heap_total' }, usage.heapTotal);
      this.set({ kind: 'external' }, usage.external);
      this.set({ kind: 'array_buffers' }, usage.arrayBuffers);
    },
  });
}
