import type Database from 'better-sqlite3';
import type { Cursor, UserId } from '../protocol/index.js';

/** Which journal a cursor belongs to: one server, one account on it. */
export interface CursorKey {
  /** The server's base URL as configured, e.g. `https://ferry.example:8443`. */
  readonly serverUrl: string;
  readonly userId: UserId;
}

/**
 * The device's position in each account's change journal. Saved in the same transaction as the
 * remote-tree updates it covers, so after a crash the engine never skips journal entries.
 */
export class CursorTable {
  private readonly selectCursor: Database.Statement;
  private readonly upsertCursor: Database.Statement;
  private readonly deleteCursor: Database.Statement;

  constructor(db: Database.Database) {
    this.selectCursor = db.prepare(
      'SELECT cursor FROM server_cursor WHERE server_url = ? AND user_id = ?',
    );
    this.upsertCursor = db.prepare(
      `INSERT INTO server_cursor (server_url, user_id, cursor, updated_ms)
       VALUES (@serverUrl, @userId, @cursor, @updatedMs)
       ON CONFLICT (server_url, user_id)
       DO UPDATE SET cursor = excluded.cursor, updated_ms = excluded.updated_ms`,
    );
    this.deleteCursor = db.prepare(
      'DELETE FROM server_cursor WHERE server_url = ? AND user_id = ?',
    );
  }

  /** The saved cursor, or `undefined` when this device never listed that account. */
  get(key: CursorKey): Cursor | undefined {
    const row = this.selectCursor.get(key.serverUrl, key.userId) as { cursor: Cursor } | undefined;
    return row?.cursor;
  }

  /** Saves `cursor` as the position for `key`, replacing the previous one. */
  set(key: CursorKey, cursor: Cursor, updatedMs: number): void {
    this.upsertCursor.run({ serverUrl: key.serverUrl, userId: key.userId, cursor, updatedMs });
  }

  /**
   * Forgets the cursor (after the server answered 410, cursor too old: the engine does a full
   * listing and starts again). False when there was none.
   */
  clear(key: CursorKey): boolean {
    return this.deleteCursor.run(key.serverUrl, key.userId).changes > 0;
  }
}
