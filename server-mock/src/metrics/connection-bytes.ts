/**
 * Bytes on the wire: the TCP payload every connection of the HTTP server has read and written
 * (request and response bodies plus the HTTP heads; TLS records on HTTPS). Taken from each
 * socket's own counters (bytesRead, bytesWritten), so streamed uploads and downloads are counted
 * without a listener on their streams, and a scrape costs one pass over the open sockets.
 */
import type { Server, Socket } from 'node:net';
import { Counter, type Registry } from 'prom-client';

type Direction = 'received' | 'sent';

/**
 * Registers `${prefix}http_bytes_total{direction}` on `registry`; the returned function starts
 * counting the connections of one server (call it once per server, before it listens).
 */
export function registerConnectionBytes(
  registry: Registry,
  prefix: string,
): (server: Server) => void {
  const open = new Set<Socket>();
  // Final counts of closed sockets; a socket's counts only grow, so the sum never goes back.
  const closed = { received: 0, sent: 0 };
  const reported = { received: 0, sent: 0 };
  const counter = new Counter({
    name: `${prefix}http_bytes_total`,
    help: 'TCP payload bytes of HTTP connections (heads and bodies): received from clients, sent to them',
    labelNames: ['direction'] as const,
    registers: [registry],
    collect() {
      const now = { ...closed };
      for (const socket of open) {
        now.received += socket.bytesRead;
        now.sent += socket.bytesWritten;
      }
      for (const direction of ['received', 'sent'] as const satisfies readonly Direction[]) {
        const delta = now[direction] - reported[direction];
        if (delta > 0) counter.inc({ direction }, delta);
        reported[direction] = now[direction];
      }
    },
  });
  return (server) => {
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.once('close', () => {
        open.delete(socket);
        closed.received += socket.bytesRead;
        closed.sent += socket.bytesWritten;
      });
    });
  };
}
