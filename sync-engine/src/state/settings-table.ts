import type Database from 'better-sqlite3';

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Key/value settings stored as JSON (pause state, bandwidth limits, selective sync…). The
 * store does not interpret values: whoever owns a key validates what it reads back.
 */
export class SettingsTable {
  private readonly selectOne: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly deleteOne: Database.Statement;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare('SELECT value_json FROM setting WHERE key = ?');
    this.selectAll = db.prepare('SELECT key, value_json FROM setting ORDER BY key');
    this.upsert = db.prepare(
      `INSERT INTO setting (key, value_json) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`,
    );
    this.deleteOne = db.prepare('DELETE FROM setting WHERE key = ?');
  }

  /** The value stored under `key`, or `undefined` when unset. */
  get(key: string): JsonValue | undefined {
    const row = this.selectOne.get(key) as { value_json: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value_json) as JsonValue);
  }

  /**
   * Stores `value` under `key`, replacing any previous value.
   *
   * @throws TypeError when `value` is not JSON-serialisable (e.g. `undefined`, a BigInt).
   */
  set(key: string, value: JsonValue): void {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new TypeError(`setting ${key}: value is not JSON`);
    this.upsert.run(key, json);
  }

  /** Every setting, by key. */
  list(): Record<string, JsonValue> {
    const rows = this.selectAll.all() as { key: string; value_json: string }[];
    return Object.fromEntries(
      rows.map((row) => [row.key, JSON.parse(row.value_json) as JsonValue]),
    );
  }

  /** Removes `key`; false when it was not set. */
  delete(key: string): boolean {
    return this.deleteOne.run(key).changes > 0;
  }
}
