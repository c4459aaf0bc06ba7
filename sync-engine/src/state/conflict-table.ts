import type Database from 'better-sqlite3';
import type { Rev } from '../protocol/index.js';
import type { ItemId } from './item-id.js';
import { translateConstraintErrors } from './sqlite-constraint.js';

/** Why two changes could not both apply (SPEC "Conflicts"). */
export type ConflictReason = 'edit_edit' | 'edit_delete' | 'rename_rename';
/** How the user settled a conflict. */
export type ConflictResolution = 'keep_mine' | 'keep_theirs' | 'keep_both';

/** What the engine knows when it detects a conflict. */
export interface NewConflict {
  readonly itemId?: ItemId | undefined;
  readonly reason: ConflictReason;
  /** The path that holds the server's version. */
  readonly path: string;
  /** Where our version was saved; absent when no copy was needed (our side was a delete). */
  readonly conflictedCopyPath?: string | undefined;
  /** The revision our local change was based on. */
  readonly localRev?: Rev | undefined;
  /** The revision the server had moved on to. */
  readonly remoteRev?: Rev | undefined;
  readonly detectedMs: number;
}

/** A recorded conflict; `resolvedMs` and `resolution` are both set once it is settled. */
export interface Conflict extends NewConflict {
  readonly id: number;
  readonly resolvedMs?: number | undefined;
  readonly resolution?: ConflictResolution | undefined;
}

function toConflict(raw: Record<string, unknown>): Conflict {
  return {
    id: raw.id as number,
    itemId: (raw.item_id as ItemId | null) ?? undefined,
    reason: raw.reason as ConflictReason,
    path: raw.path as string,
    conflictedCopyPath: (raw.conflicted_copy_path as string | null) ?? undefined,
    localRev: (raw.local_rev as Rev | null) ?? undefined,
    remoteRev: (raw.remote_rev as Rev | null) ?? undefined,
    detectedMs: raw.detected_ms as number,
    resolvedMs: (raw.resolved_ms as number | null) ?? undefined,
    resolution: (raw.resolution as ConflictResolution | null) ?? undefined,
  };
}

/**
 * Conflict records: unresolved ones drive the tray's conflict state and `ferry conflicts`;
 * resolved ones stay as a record of what happened.
 */
export class ConflictTable {
  private readonly insert: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly selectUnresolved: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly markResolved: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO conflict (item_id, reason, path, conflicted_copy_path, local_rev, remote_rev, detected_ms)
       VALUES (@itemId, @reason, @path, @conflictedCopyPath, @localRev, @remoteRev, @detectedMs)`,
    );
    this.selectOne = db.prepare('SELECT * FROM conflict WHERE id = ?');
    this.selectUnresolved = db.prepare(
      'SELECT * FROM conflict WHERE resolved_ms IS NULL ORDER BY detected_ms, id',
    );
    this.selectAll = db.prepare('SELECT * FROM conflict ORDER BY detected_ms, id');
    this.markResolved = db.prepare(
      `UPDATE conflict SET resolved_ms = @resolvedMs, resolution = @resolution
       WHERE id = @id AND resolved_ms IS NULL`,
    );
  }

  /** Records a newly detected conflict and returns its id. */
  record(conflict: NewConflict): number {
    const params = {
      itemId: conflict.itemId ?? null,
      reason: conflict.reason,
      path: conflict.path,
      conflictedCopyPath: conflict.conflictedCopyPath ?? null,
      localRev: conflict.localRev ?? null,
      remoteRev: conflict.remoteRev ?? null,
      detectedMs: conflict.detectedMs,
    };
    const result = translateConstraintErrors(`record conflict at ${conflict.path}`, () =>
      this.insert.run(params),
    );
    return Number(result.lastInsertRowid);
  }

  /** The conflict `id`, or `undefined`. */
  get(id: number): Conflict | undefined {
    const raw = this.selectOne.get(id) as Record<string, unknown> | undefined;
    return raw === undefined ? undefined : toConflict(raw);
  }

  /** Conflicts still waiting for the user, oldest first. */
  listUnresolved(): Conflict[] {
    return this.selectUnresolved.all().map((raw) => toConflict(raw as Record<string, unknown>));
  }

  /** Every conflict ever recorded, oldest first. */
  list(): Conflict[] {
    return this.selectAll.all().map((raw) => toConflict(raw as Record<string, unknown>));
  }

  /**
   * Marks the conflict settled with `resolution`. False when it does not exist or was already
   * resolved (the first resolution stands: a second click in another window changes nothing).
   */
  resolve(id: number, resolution: ConflictResolution, resolvedMs: number): boolean {
    return translateConstraintErrors(
      `resolve conflict ${id}`,
      () => this.markResolved.run({ id, resolution, resolvedMs }).changes > 0,
    );
  }
}
