/**
 * The cursor a user holds: one journal position per namespace they can see, encoded as
 * base64url JSON `{"v":1,"n":{"<namespace>":<seq>,…}}` (opaque to clients; docs/protocol.md).
 * A namespace missing from the cursor is read from seq 0, which replays its compacted journal:
 * its current tree. That is how a newly mounted share arrives in full.
 */
import type { Cursor, NamespaceId } from '../../../sync-engine/src/protocol/index.js';
import { ServerError } from '../errors.js';

const VERSION = 1;
/** Longest cursor accepted, in characters (a user with thousands of shares fits). */
export const MAX_CURSOR_LENGTH = 64 * 1024;

/** Journal position per namespace. */
export type CursorPositions = ReadonlyMap<NamespaceId, number>;

export function encodeCursor(positions: CursorPositions): Cursor {
  const n = Object.fromEntries(positions);
  return Buffer.from(JSON.stringify({ v: VERSION, n }), 'utf8').toString('base64url') as Cursor;
}

/** Decodes a cursor; throws invalid_cursor for anything that is not one of ours. */
export function decodeCursor(text: string): Map<NamespaceId, number> {
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
  const { v, n } = parsed as { v?: unknown; n?: unknown };
  if (v !== VERSION || typeof n !== 'object' || n === null || Array.isArray(n)) throw invalid();
  const positions = new Map<NamespaceId, number>();
  for (const [namespace, seq] of Object.entries(n)) {
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw invalid();
    positions.set(namespace as NamespaceId, seq as number);
  }
  return positions;
}
