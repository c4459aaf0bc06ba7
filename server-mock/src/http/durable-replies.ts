/**
 * Group commit, the HTTP half: a reply that acknowledges a write leaves only once the metadata
 * store says every write committed so far is durable against power loss (`store.durable()`:
 * one fdatasync of SQLite's WAL shared by every request that committed meanwhile). Hooked once,
 * in onSend, for every route; a route says what it needs in its config:
 *
 * - `durable` unset: writing methods (POST, PUT, PATCH, DELETE) wait, reads do not.
 * - `durable: false`: a POST that only reads (or writes only advisory rows, such as block access
 *   times), so it neither waits behind nor causes an fsync.
 * - `durable: true`: a read whose answer hands out journal positions (/changes, the latest
 *   cursor): a device must not hold a cursor past entries a power loss could take back, or it
 *   would skip the entries that reuse their sequence numbers.
 *
 * Answers with a 5xx status acknowledge nothing and do not wait. When the store refuses, the
 * reply becomes 503 `unavailable` instead of the acknowledgement.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the reply waits for durability; unset: writing methods wait (durable-replies.ts). */
    durable?: boolean;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function waitsForDurability(request: FastifyRequest, status: number): boolean {
  if (status >= 500) return false;
  return request.routeOptions.config.durable ?? !READ_METHODS.has(request.method);
}

/** Installs the hook on `app` (before the routes, so that every route gets it). */
export function installDurableReplies(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!waitsForDurability(request, reply.statusCode)) return payload;
    try {
      await ctx.store.durable();
    } catch (error) {
      request.log.error({ err: error }, 'metadata not durable; the write is not acknowledged');
      throw new ServerError('unavailable', 'the server could not make this change durable', {
        cause: error,
      });
    }
    return payload;
  });
}
