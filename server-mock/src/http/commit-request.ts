/**
 * The body of POST /files/commit, shared with each entry of POST /files/commit_batch: its schema
 * and its translation into a commit (path rules, then the caller's view resolves the path for
 * writing), so that both routes check a commit exactly the same way.
 */
import {
  MAX_COMMIT_BLOCKS,
  type CommitRequest,
  blockIdSchema,
  pathSchema,
  revSchema,
} from 'sync-engine/protocol';
import type { UserView } from '../access/user-view.js';
import type { CommitBlocksInput } from '../commit/commit-blocks.js';
import { ServerError } from '../errors.js';
import type { Actor } from '../metadata/records.js';
import { requirePath } from './request-paths.js';

/** JSON schema of a commit body (the route schema and the batch's items). */
export const commitBodySchema = {
  type: 'object',
  properties: {
    path: pathSchema,
    blocks: { type: 'array', items: blockIdSchema, maxItems: MAX_COMMIT_BLOCKS },
    size: { type: 'integer', minimum: 0 },
    modified: { type: 'integer', minimum: 0 },
    parentRev: { anyOf: [revSchema, { type: 'null' }] },
  },
  required: ['path', 'blocks', 'size', 'modified'],
  additionalProperties: false,
} as const;

/**
 * The commit `body` asks for, by `actor` in `view`. Throws invalid_path (path rules, the root),
 * and whatever resolving the path for writing throws (forbidden for a viewer, …).
 */
export function commitInputOf(
  view: UserView,
  actor: Actor,
  body: CommitRequest,
): CommitBlocksInput {
  const userPath = requirePath(body.path);
  if (userPath === '/') throw new ServerError('invalid_path', 'cannot commit to the root');
  return {
    target: view.resolveEntryForWrite(userPath),
    userPath,
    blocks: body.blocks,
    size: body.size,
    modifiedMs: body.modified,
    parentRev: body.parentRev ?? null,
    actor,
  };
}
