/**
 * The route side of the store's write guard (metadata/write-access.ts): builds the WriteAccess a
 * write carries from what UserView resolved, and turns an AccessOutcome the store returned into
 * the wire error. Nothing was written when a store returns one of these outcomes.
 */
import type { RemotePath, UserId } from 'sync-engine/protocol';
import { assertNever, ServerError } from '../errors.js';
import type { AccessOutcome, AccessTarget, WriteAccess } from '../metadata/write-access.js';
import type { ResolvedPath } from './user-view.js';

/** One path of a write, as resolved when the request began. */
export function accessTarget(
  userPath: RemotePath,
  resolved: ResolvedPath,
  needsWrite = true,
): AccessTarget {
  return { userPath, namespace: resolved.namespace, path: resolved.path, needsWrite };
}

/** The access of a write to one path. */
export function accessTo(
  userId: UserId,
  userPath: RemotePath,
  resolved: ResolvedPath,
): WriteAccess {
  return { userId, targets: [accessTarget(userPath, resolved)] };
}

/**
 * The error for an outcome: 403 forbidden when write access is gone, 409 namespace_changed
 * (with the new namespace) when the path moved; `retry` tells the client what to do then.
 */
export function accessOutcomeError(
  outcome: AccessOutcome,
  retry = 'send the request again',
): ServerError {
  switch (outcome.kind) {
    case 'access_lost':
      return new ServerError(
        'forbidden',
        outcome.reason === 'revoked'
          ? `you no longer have access to ${outcome.userPath}; nothing was changed`
          : `you can only view ${outcome.userPath} now; nothing was changed`,
      );
    case 'target_changed': {
      const { namespace } = outcome.target;
      return new ServerError(
        'namespace_changed',
        `${outcome.userPath} is now in namespace ${namespace} (a folder was shared, or a shared ` +
          `folder moved, while the request ran); nothing was changed: ${retry}`,
        { details: { namespace } },
      );
    }
    default:
      return assertNever(outcome);
  }
}

/** True for the outcomes a guarded write returns instead of writing. */
export function isAccessOutcome<T extends { readonly kind: string }>(
  outcome: T | AccessOutcome,
): outcome is AccessOutcome {
  return outcome.kind === 'access_lost' || outcome.kind === 'target_changed';
}
