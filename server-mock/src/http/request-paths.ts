/**
 * Path and view helpers for route handlers: parse a user-supplied path (400 invalid_path) and
 * load the caller's view of their namespaces.
 */
import type { FastifyRequest } from 'fastify';
import { parsePath, type RemotePath } from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { callerOf } from './authenticate.js';

/** The validated, NFC-normalised path in `raw`; throws invalid_path naming `field`. */
export function requirePath(raw: unknown, field = 'path'): RemotePath {
  const result = parsePath(raw);
  if (!result.ok) throw new ServerError('invalid_path', `${field}: ${result.message}`);
  return result.path;
}

/** The caller's view (root plus mounted shares), fresh for this request. */
export function viewOf(ctx: ServerContext, request: FastifyRequest): Promise<UserView> {
  return UserView.load(ctx.store, callerOf(request).user);
}
