/**
 * Bearer-token authentication: a preHandler that resolves `Authorization: Bearer <token>` to the
 * device and user (via the token's SHA-256) and attaches them to the request. Lookups are cached
 * briefly; device last-seen is written at most once a minute per device.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { hashBearerToken } from '../auth/bearer-tokens.js';
import { ServerError } from '../errors.js';
import type { DeviceRecord, UserRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';

/** Who is calling. */
export interface Caller {
  readonly user: UserRecord;
  readonly device: DeviceRecord;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authenticate preHandler on every authenticated route. */
    caller?: Caller;
  }
}

const LAST_SEEN_EVERY_MS = 60_000;

/** The caller of an authenticated route (the preHandler guarantees it). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new ServerError('unauthorized', 'authentication required');
  return request.caller;
}

/** Builds the preHandler for `ctx`. */
export function createAuthenticate(ctx: ServerContext): preHandlerAsyncHookHandler {
  const lastSeenWritten = new Map<string, number>();
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
    if (!match?.[1]) {
      throw new ServerError('unauthorized', 'missing or malformed Authorization: Bearer token');
    }
    const found = await ctx.store.findDeviceByTokenHash(hashBearerToken(match[1]));
    if (!found) throw new ServerError('unauthorized', 'unknown or revoked token');
    request.caller = found;
    const nowMs = ctx.now();
    if ((lastSeenWritten.get(found.device.id) ?? 0) < nowMs - LAST_SEEN_EVERY_MS) {
      lastSeenWritten.set(found.device.id, nowMs);
      await ctx.store.touchDevice(found.device.id, nowMs);
    }
  };
}
