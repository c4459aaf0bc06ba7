/**
 * The cursor a user holds: one journal position per namespace they can see, encoded as
 * base64url JSON `{"v":1,"n":{"<namespace>":<seq>,…},"p":{"<namespace>":<prunedSeq>,…}}` (opaque
 * to clients; docs/protocol.md). A namespace missing from the cursor is read from seq 0, which
 * replays its compacted journal: its current tree. That is how a newly mounted share arrives in
 * full. `p` (optional, only for positions below the namespace's prunedSeq) remembers how far
 * tombstones were pruned when the position was issued: a reader that began at 0 after a prune
 * missed nothing it had, so only a prune *since* the position counts (read-changes.ts).
 */
import type { Cursor, NamespaceId } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';

const VERSION = 1;
/** Longest cursor accepted, in characters (a user with thousands of shares fits). */
export const MAX_CURSOR_LENGTH = 64 * 1024;
/** JSON schema of a cursor in a query or a body (decodeCursor checks the rest). */
export const cursorSchema = { type: 'string', minLength: 1, maxLength: MAX_CURSOR_LENGTH } as const;

/** Journal position per namespace. */
export type CursorPositions = ReadonlyMap<NamespaceId, number>;

/** A decoded cursor: positions, and the prunedSeq each position was issued under (0: none). */
export interface CursorState {
  readonly positions: Map<NamespaceId, number>;
  readonly pruned: Map<NamespaceId, number>;
}

export function encodeCursor(
  positions: CursorPositions,
  pruned: CursorPositions = new Map(),
): Cursor {
  const n = Object.fromEntries(positions);
  const marks = [...pruned].filter(([id, seq]) => seq > (positions.get(id) ?? 0));
  const body =
    marks.length > 0 ? { v: VERSION, n, p: Object.fromEntries(marks) } : { v: VERSION, n };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url') as Cursor;
}

/** Decodes a cursor's positions; throws invalid_cursor for anything that is not one of ours. */
export function decodeCursor(text: string): Map<NamespaceId, number> {
  return decodeCursorState(text).positions;
}

/** Decodes a whole cursor; throws invalid_cursor for anything that is not one of ours. */
export function decodeCursorState(text: string): CursorState {
  const invalid = () => new ServerError('invalid_cursor', 'the cursor is not valid');
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw invalid();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ServerError('invalid_cursor', 'the cursor is not valid', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { v, n, p = {} } = parsed as { v?: unknown; n?: unknown; p?: unknown };
  if (v !== VERSION) throw invalid();
  const positions = seqMap(n);
  const pruned = seqMap(p);
  if (!positions || !pruned) throw invalid();
  return { positions, pruned };
}

/** A JSON object of namespace → non-negative integer, or undefined when it is anything else. */
function seqMap(value: unknown): Map<NamespaceId, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const map = new Map<NamespaceId, number>();
  for (const [namespace, seq] of Object.entries(value)) {
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
    map.set(namespace as NamespaceId, seq as number);
  }
  return map;
}
