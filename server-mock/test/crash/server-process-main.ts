/**
 * Child-process entry of the reference server for crash tests and benchmarks: starts the server
 * from the JSON options in argv[2], prints one JSON line `{"url","pid"}` on stdout once it
 * listens, and on SIGTERM shuts down gracefully and prints `{"stopped":true,"maxRssBytes"}`.
 * SIGUSR2 prints `{"memoryUsage":…}` (main-thread heap breakdown, for benchmarks).
 * SIGKILL, the point of the crash test, needs no handling.
 */
import { startServer, type ServerOptions } from '../../src/index.js';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const server = await startServer(options);
  process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
  process.on('SIGUSR2', () => {
    process.stdout.write(`${JSON.stringify({ memoryUsage: process.memoryUsage() })}\n`);
  });
  process.once('SIGTERM', () => {
    void server.close().then(() => {
      // resourceUsage().maxRSS is in kilobytes.
      const maxRssBytes = process.resourceUsage().maxRSS * 1024;
      process.stdout.write(`${JSON.stringify({ stopped: true, maxRssBytes })}\n`);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`server child failed: ${String(error)}\n`);
  process.exitCode = 1;
});
