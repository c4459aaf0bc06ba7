/**
 * Bearer-token authentication: a hook that resolves `Authorization: Bearer <token>` to the
 * device and user (via the token's SHA-256) and attaches them to the request. Signed-out and
 * idle-expired devices get 401 with a message that says to sign in again; two `Authorization`
 * headers are 400. Lookups go through the metadata read cache, which a sign-out empties; device
 * last-seen is written at most once a minute per device.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { readBearerToken } from '../auth/authorization-header.js';
import { hashBearerToken } from '../auth/bearer-tokens.js';
import { describeIdleExpiry, isIdleExpired } from '../auth/device-sessions.js';
import { assertNever, ServerError } from '../errors.js';
import type { Actor, DeviceRecord, UserRecord } from '../metadata/records.js';
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

/**
 * The actor of an authenticated route's writes: the caller's user and device, and the time now
 * (epoch ms) on the server's clock.
 */
export function actorOf(clock: Pick<ServerContext, 'now'>, request: FastifyRequest): Actor {
  const caller = callerOf(request);
  return { userId: caller.user.id, deviceId: caller.device.id, nowMs: clock.now() };
}

/** Builds the preHandler for `ctx`. */
export function createAuthenticate(ctx: ServerContext): preHandlerAsyncHookHandler {
  const lastSeenWritten = new Map<string, number>();
  const idleExpiryMs = ctx.config.deviceIdleExpiryMs;
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
    const found = await findCaller(ctx, request);
    const nowMs = ctx.now();
    if (isIdleExpired(found.device, nowMs, idleExpiryMs)) {
      lastSeenWritten.delete(found.device.id);
      throw new ServerError(
        'unauthorized',
        `this device was signed out after it was not used for ${describeIdleExpiry(idleExpiryMs)}; sign in again`,
      );
    }
    request.caller = found;
    if ((lastSeenWritten.get(found.device.id) ?? 0) < nowMs - LAST_SEEN_EVERY_MS) {
      lastSeenWritten.set(found.device.id, nowMs);
      await ctx.store.touchDevice(found.device.id, nowMs);
    }
  };
}

/** The signed-in device and user the request's token names; throws 401 (or 400) otherwise. */
async function findCaller(ctx: ServerContext, request: FastifyRequest): Promise<Caller> {
  const outcome = readBearerToken(request.raw.headersDistinct.authorization);
  switch (outcome.kind) {
    case 'repeated':
      throw new ServerError('invalid_request', 'send one Authorization header, not several');
    case 'missing':
    case 'malformed':
      throw new ServerError('unauthorized', 'missing or malformed Authorization: Bearer token');
    case 'token': {
      const found = await ctx.store.findDeviceByTokenHash(hashBearerToken(outcome.token));
      if (!found) {
        throw new ServerError('unauthorized', 'unknown or signed-out token; sign in again');
      }
      return found;
    }
    default:
      return assertNever(outcome);
  }
}
