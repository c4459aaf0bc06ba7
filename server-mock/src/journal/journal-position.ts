/**
 * When one namespace's position in a cursor can no longer tell what happened there since: the
 * rule GET /changes answers 410 by, and the delete precondition `unchangedSince` too (a position
 * that may have missed an entry proves nothing about the entries after it).
 */
import type { NamespaceRecord } from '../metadata/records.js';

/** A namespace's position in a cursor, and the prunedSeq it was issued under (0: none). */
export interface JournalPosition {
  readonly after: number;
  readonly prunedMark: number;
}

/** Why `position` cannot read `namespace` on, or undefined when it can. */
export function expiredPositionProblem(
  position: JournalPosition,
  namespace: Pick<NamespaceRecord, 'lastSeq' | 'prunedSeq'>,
): string | undefined {
  const { after, prunedMark } = position;
  // A tombstone after this position was pruned since the position was issued: the client may
  // hold the path it deleted. Tombstones pruned before (a reader that began at 0 afterwards)
  // are of paths it never had.
  if (after > 0 && after < namespace.prunedSeq && namespace.prunedSeq > prunedMark) {
    return 'the cursor is older than the journal retention; list the tree again';
  }
  if (after > namespace.lastSeq) {
    return 'the cursor is ahead of the server (restored backup?); list the tree again';
  }
  return undefined;
}
