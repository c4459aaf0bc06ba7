import type Database from 'better-sqlite3';
import type { Rev } from '../protocol/index.js';
import type { ItemId } from './item-id.js';
import { computeBackoffMs, DEFAULT_BACKOFF_POLICY, type BackoffPolicy } from './outbox-backoff.js';
import { translateConstraintErrors } from './sqlite-constraint.js';

/** What a pending local change does on the server. */
export type OutboxChangeKind = 'upload' | 'mkdir' | 'delete' | 'move';

interface ChangeCommon {
  /** The item the change came from, when known; entries of one item run in order. */
  readonly itemId?: ItemId | undefined;
  /** The revision the change was based on (the commit's parentRev); absent for a new item. */
  readonly baseRev?: Rev | undefined;
}

/** A local change waiting to be carried out on the server. */
export type OutboxChange =
  | (ChangeCommon & { readonly kind: 'upload' | 'mkdir' | 'delete'; readonly path: string })
  | (ChangeCommon & { readonly kind: 'move'; readonly fromPath: string; readonly path: string });

/** A queued change with its place in the queue and its retry state. */
export type OutboxEntry = OutboxChange & {
  /** Queue position: strictly increasing in order of enqueueing, never reused. */
  readonly seq: number;
  readonly enqueuedMs: number;
  /** Failed attempts so far. */
  readonly attemptCount: number;
  /** Not retried before this time. */
  readonly nextAttemptMs: number;
  readonly lastError?: string | undefined;
};

/** Options of {@link Outbox.fail}. */
export interface OutboxFailure {
  /** Why it failed, for the user; never file contents, keys or tokens. */
  readonly errorMessage: string;
  readonly nowMs: number;
  /** The server's Retry-After, when it sent one: the retry waits at least this long. */
  readonly retryAfterMs?: number | undefined;
}

/** Longest `last_error` kept: enough to explain, bounded so a huge message cannot bloat rows. */
const MAX_ERROR_LENGTH = 1_000;

/** SQL: true when path `a` equals `b` or one is inside the other (NULL-safe: false). */
function pathsOverlapSql(a: string, b: string): string {
  return `(${a} = ${b} OR substr(${b}, 1, length(${a}) + 1) = ${a} || '/' OR substr(${a}, 1, length(${b}) + 1) = ${b} || '/')`;
}

const BLOCKED_BY_EARLIER = `EXISTS (SELECT 1 FROM outbox e WHERE e.seq < o.seq AND (e.item_id = o.item_id
  OR ${pathsOverlapSql('e.path', 'o.path')} OR ${pathsOverlapSql('e.path', 'o.from_path')}
  OR ${pathsOverlapSql('e.from_path', 'o.path')} OR ${pathsOverlapSql('e.from_path', 'o.from_path')}))`;

function toEntry(raw: Record<string, unknown>): OutboxEntry {
  const common = {
    seq: raw.seq as number,
    itemId: (raw.item_id as ItemId | null) ?? undefined,
    baseRev: (raw.base_rev as Rev | null) ?? undefined,
    path: raw.path as string,
    enqueuedMs: raw.enqueued_ms as number,
    attemptCount: raw.attempt_count as number,
    nextAttemptMs: raw.next_attempt_ms as number,
    lastError: (raw.last_error as string | null) ?? undefined,
  };
  const kind = raw.kind as OutboxChangeKind;
  return kind === 'move'
    ? { ...common, kind, fromPath: raw.from_path as string }
    : { ...common, kind };
}

/**
 * The durable queue of pending local changes. An entry is written before anything is sent and
 * removed only by {@link Outbox.complete}, so a crash at any point leaves it queued: a change is
 * carried out at least once, never silently dropped.
 */
export class Outbox {
  private readonly policy: BackoffPolicy;
  private readonly insert: Database.Statement;
  private readonly selectDue: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly selectNextDue: Database.Statement;
  private readonly deleteOne: Database.Statement;
  private readonly recordFailure: (seq: number, failure: OutboxFailure) => OutboxEntry | undefined;

  constructor(db: Database.Database, policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY) {
    this.policy = policy;
    this.insert = db.prepare(
      `INSERT INTO outbox (kind, item_id, path, from_path, base_rev, enqueued_ms, next_attempt_ms)
       VALUES (@kind, @itemId, @path, @fromPath, @baseRev, @nowMs, @nowMs)`,
    );
    this.selectDue = db.prepare(
      `SELECT * FROM outbox o WHERE o.next_attempt_ms <= @nowMs AND NOT ${BLOCKED_BY_EARLIER}
       ORDER BY o.seq LIMIT @limit`,
    );
    this.selectAll = db.prepare('SELECT * FROM outbox ORDER BY seq');
    this.selectOne = db.prepare('SELECT * FROM outbox WHERE seq = ?');
    this.selectNextDue = db.prepare('SELECT min(next_attempt_ms) AS nextMs FROM outbox');
    this.deleteOne = db.prepare('DELETE FROM outbox WHERE seq = ?');
    const update = db.prepare(
      `UPDATE outbox SET attempt_count = @attemptCount, next_attempt_ms = @nextAttemptMs,
       last_error = @lastError WHERE seq = @seq`,
    );
    this.recordFailure = db.transaction((seq: number, failure: OutboxFailure) => {
      const raw = this.selectOne.get(seq) as Record<string, unknown> | undefined;
      if (raw === undefined) return undefined;
      const attemptCount = (raw.attempt_count as number) + 1;
      const delayMs = Math.max(
        computeBackoffMs(attemptCount, this.policy),
        failure.retryAfterMs ?? 0,
      );
      const values = {
        seq,
        attemptCount,
        nextAttemptMs: failure.nowMs + delayMs,
        lastError: failure.errorMessage.slice(0, MAX_ERROR_LENGTH),
      };
      update.run(values);
      return toEntry({
        ...raw,
        attempt_count: attemptCount,
        next_attempt_ms: values.nextAttemptMs,
        last_error: values.lastError,
      });
    }).immediate;
  }

  /** Queues `change` behind everything already queued; due at once. Returns its seq. */
  enqueue(change: OutboxChange, nowMs: number): number {
    const params = {
      kind: change.kind,
      itemId: change.itemId ?? null,
      path: change.path,
      fromPath: change.kind === 'move' ? change.fromPath : null,
      baseRev: change.baseRev ?? null,
      nowMs,
    };
    const result = translateConstraintErrors(`enqueue ${change.kind} ${change.path}`, () =>
      this.insert.run(params),
    );
    return Number(result.lastInsertRowid);
  }

  /**
   * Entries that may run now, oldest first, at most `limit`: due (`nextAttemptMs <= nowMs`) and
   * with no earlier entry still queued for the same item or an overlapping path (the same path,
   * a folder above it or a path inside it), whether that earlier entry is due or backing off.
   * So changes to one file or folder never overtake each other, while unrelated changes are
   * not held up by one that keeps failing, and the returned entries may run concurrently.
   * Entries stay queued until completed: peeking twice returns them twice.
   *
   * Cost grows with (entries before the returned ones) × (queue length); the queue holds
   * pending changes only, normally a few hundred at most.
   */
  peekDue(nowMs: number, limit = 100): OutboxEntry[] {
    return this.selectDue
      .all({ nowMs, limit })
      .map((raw) => toEntry(raw as Record<string, unknown>));
  }

  /** Every queued entry in queue order, due or not (status display, diagnostics). */
  list(): OutboxEntry[] {
    return this.selectAll.all().map((raw) => toEntry(raw as Record<string, unknown>));
  }

  /** The entry `seq`, or `undefined` when it is no longer queued. */
  get(seq: number): OutboxEntry | undefined {
    const raw = this.selectOne.get(seq) as Record<string, unknown> | undefined;
    return raw === undefined ? undefined : toEntry(raw);
  }

  /** The earliest `nextAttemptMs` in the queue (when to wake up), `undefined` when empty. */
  nextAttemptMs(): number | undefined {
    const row = this.selectNextDue.get() as { nextMs: number | null };
    return row.nextMs ?? undefined;
  }

  /** Removes the entry: the change is done on the server. False when it was already gone. */
  complete(seq: number): boolean {
    return this.deleteOne.run(seq).changes > 0;
  }

  /**
   * Records a failed attempt: counts it, keeps the message, and delays the next attempt by the
   * backoff for that many failures (or `retryAfterMs`, when longer). Returns the updated entry,
   * or `undefined` when it is no longer queued.
   */
  fail(seq: number, failure: OutboxFailure): OutboxEntry | undefined {
    return this.recordFailure(seq, failure);
  }
}
