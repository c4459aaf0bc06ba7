/**
 * One synced folder's reconciliation: pull the server's journal into the remote tree, scan the
 * disk into the local tree, plan, run the operations, and again until the plan is empty. The
 * trees are the one source of truth for what to do; nothing else queues work. A failed
 * operation is retried after a backoff (per item), a failure of the whole connection ends the
 * round as "offline", and a fatal one (signed out) is thrown to the engine.
 */
import { createHash } from 'node:crypto';
import { createFingerprinter, type BlockCodecPool } from '../blocks/index.js';
import type { ExecuteContext, ExecuteReporter } from '../execute/execute-context.js';
import { settleCommitIntents } from '../execute/commit-intents.js';
import type { BatchOutcome } from '../execute/batch-outcome.js';
import { downloadFiles } from '../execute/download-batch.js';
import { AnnouncedStreams } from '../execute/announced-streams.js';
import { executeOperation } from '../execute/execute-operation.js';
import { deleteLocal, deleteLocalFiles } from '../execute/tree-operations.js';
import { uploadFiles } from '../execute/upload-batch.js';
import { FERRY_IGNORE_FILE, createIgnoreRules, type IgnoreRules } from '../ignore/ignore-rules.js';
import { outsideIgnored } from '../ignore/outside-ignored.js';
import { planOperations, type MassDeletePolicy, type Operation, type Plan } from '../plan/index.js';
import type { Clock, FileSystem } from '../ports.js';
import type { ChangeEntry, NamespaceId, UserId } from '../protocol/index.js';
import { RemoteError, isRetryableCode, type RemoteClient } from '../remote/index.js';
import { fingerprintThrough } from '../scan/fingerprint-entry.js';
import { scanFolder, type KnownEntry } from '../scan/scan-folder.js';
import type { ScanProblem } from '../scan/scan-problems.js';
import { computeBackoffMs, type ClientState } from '../state/index.js';
import { evictionOf, withExcludedFolders } from './excluded-folders.js';
import { independentOperations } from './independent-operations.js';
import { nameRefusalOf } from './name-refusal.js';
import { RateLimiter } from './rate-limiter.js';
import { UndoneMoves, type UndoneMove } from './undone-moves.js';
import { workUnitsOf, type WorkUnit } from './work-units.js';
import { applyLocalScan } from '../trees/local-scan.js';
import { applyRemoteChanges, replaceRemoteTree } from '../trees/remote-changes.js';

export interface FolderSyncOptions {
  readonly state: ClientState;
  readonly fs: FileSystem;
  readonly remote: RemoteClient;
  readonly clock: Clock;
  readonly report: ExecuteReporter;
  readonly serverUrl: string;
  readonly userId: UserId;
  readonly rootNamespace: NamespaceId;
  readonly deviceName: string;
  /** Worker threads for encoding large uploads (the caller closes it); else the event loop does. */
  readonly codec?: BlockCodecPool;
  /** Operations run at once (default 16: small files are latency-bound). */
  readonly concurrency?: number;
  readonly massDelete?: MassDeletePolicy;
  /** Top-level folders this device does not sync (selective sync); see excluded-folders.ts. */
  readonly excludedFolders?: readonly string[];
  /** Bandwidth limits, bytes per second; none when absent. */
  readonly limitUpBytesPerSecond?: number;
  readonly limitDownBytesPerSecond?: number;
  /**
   * Asked before each pass's scan: false when nothing on disk can have changed since the last
   * one that the local tree does not know (a watcher that works saw nothing new). Without it,
   * every pass scans.
   */
  readonly shouldScan?: () => boolean | Promise<boolean>;
}

/** Why an item's operation is not being retried yet. */
export interface ItemFailure {
  readonly path: string;
  readonly operation: Operation['kind'];
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
  readonly nextAttemptMs: number;
  /** A move's source: where the item still is (on this disk for move_local). */
  readonly fromPath?: string;
}

/** What one pass of {@link FolderSync.syncUntilAgreed} came to. */
export interface SyncOutcome {
  /**
   * Both sides agree on everything this device can hold: the plan is empty and nothing waits
   * for a retry, or all that is left are names this device's file system refused (in
   * `failures` with code `name_refused`: they wait for a new name on the server, as Dropbox
   * shows "up to date" and "can't sync N files").
   */
  readonly agreed: boolean;
  readonly plan: Plan;
  readonly failures: readonly ItemFailure[];
  readonly scanProblems: readonly ScanProblem[];
  /** Uploads wait: the account is over its quota. */
  readonly quotaExceeded: boolean;
  /** Downloads wait: the local disk is full. */
  readonly diskFull: boolean;
  /** Moves made here that the server cannot take, undone (in this round or before). */
  readonly undoneMoves: readonly UndoneMove[];
}

/** A failure that stops the round: no point going on (offline, signed out). */
export class RoundStopped extends Error {
  constructor(override readonly cause: RemoteError) {
    super(cause.message);
  }
}

const STOPPING_CODES = new Set(['network_error', 'timeout', 'unauthorized', 'unavailable']);
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
const MAX_ROUNDS = 500;
/** Stale answers of one item in a row before it waits for a retry like a failure. */
const MAX_STALE_ATTEMPTS = 3;
/** The failure code of a name this device's file system refused (see name-refusal.ts). */
export const NAME_REFUSED = 'name_refused';
/** A refused name is tried again after an hour, doubling to once a day (or once renamed). */
const NAME_REFUSED_BACKOFF = { initialDelayMs: 3_600_000, maxDelayMs: 86_400_000 };

/** Settings key: the tree version whose plan was empty (see FolderSync.plan). */
const AGREED_TREE_VERSION = 'agreedTreeVersion';
const EMPTY_PLAN: Plan = { operations: [], heldDeletes: [], heldDeleteFiles: 0, notices: [] };
const DEFAULT_IGNORE_RULES = createIgnoreRules('');

/** The path an operation writes (a move's target). */
function pathOf(operation: Operation): string {
  return 'path' in operation ? operation.path : 'to' in operation ? operation.to : '';
}

export class FolderSync {
  private readonly options: FolderSyncOptions;
  private readonly failures = new Map<string, ItemFailure>();
  private readonly staleCounts = new Map<string, number>();
  private readonly keys = new Map<NamespaceId, Promise<Uint8Array>>();
  private scanProblems: ScanProblem[] = [];
  private limiters: { up?: RateLimiter; down?: RateLimiter };
  private quotaExceeded = false;
  private diskFullUntilMs = 0;
  private readonly undoneMoves: UndoneMoves;
  /** Files of announced uploads being assembled while they upload (streaming sync). */
  readonly streams = new AnnouncedStreams((signal) => this.context(signal));
  allowMassDelete = false;
  /** The plan being worked on (or the last one): what is pending, for the status. */
  latestPlan: Plan | undefined;
  /** The last plan and the tree version it was made at (see plan()). */
  private planMemo:
    { version: number; allowMassDelete: boolean; ignoreKey: string; plan: Plan } | undefined;
  /** The `.ferryignore` rules last read (see readIgnoreRules()). */
  private ignore: { text: string; rules: IgnoreRules } | undefined;
  private excluded: ReadonlySet<string>;
  /** The excluded folders' local copies may still be on disk (see evictExcluded()). */
  private evictionDue: boolean;
  /** Items whose operation in `latestPlan` is done already. */
  readonly doneInLatestPlan = new Set<string>();

  constructor(options: FolderSyncOptions) {
    this.options = options;
    this.undoneMoves = new UndoneMoves(options.state.settings);
    this.excluded = new Set(options.excludedFolders ?? []);
    this.evictionDue = this.excluded.size > 0;
    const { clock, limitUpBytesPerSecond: up, limitDownBytesPerSecond: down } = options;
    this.limiters = {
      ...(up === undefined ? {} : { up: new RateLimiter(clock, up) }),
      ...(down === undefined ? {} : { down: new RateLimiter(clock, down) }),
    };
  }

  /** New bandwidth limits (bytes per second, undefined: none), for the next block on. */
  setLimits(limits: { readonly up: number | undefined; readonly down: number | undefined }): void {
    const { clock } = this.options;
    this.limiters = {
      ...(limits.up === undefined ? {} : { up: new RateLimiter(clock, limits.up) }),
      ...(limits.down === undefined ? {} : { down: new RateLimiter(clock, limits.down) }),
    };
  }

  /**
   * New top-level folders left out on this device, from the next round on: the newly
   * excluded ones' local copies are removed then, the newly included ones downloaded.
   */
  setExcludedFolders(names: readonly string[]): void {
    this.excluded = new Set(names);
    this.evictionDue = this.excluded.size > 0;
    this.ignore = undefined;
  }

  /**
   * Removes what the excluded folders hold that the server has too, before the scan (which
   * drops what is left from the local tree): see excluded-folders.ts.
   */
  private async evictExcluded(signal: AbortSignal): Promise<void> {
    const { files, folders } = evictionOf(this.options.state.items, this.excluded);
    const context = this.context(signal);
    await deleteLocalFiles(context, files);
    for (const folder of folders) await deleteLocal(context, folder);
    this.evictionDue = false;
  }

  private get cursorKey() {
    return { serverUrl: this.options.serverUrl, userId: this.options.userId };
  }

  /**
   * Brings the remote tree up to the server's journal (a full listing when there is no cursor).
   * Every page of the read is applied in one transaction with the cursor after it: a tombstone
   * on one page may be a move whose live entry is on the next (the journal is compacted by
   * path), and only the whole read tells the two apart. True when the remote tree may have
   * changed (anything read, or a full listing).
   */
  async pull(signal: AbortSignal): Promise<boolean> {
    const { state, remote, clock } = this.options;
    let cursor = state.cursors.get(this.cursorKey);
    let entries: ChangeEntry[] = [];
    let listed = false;
    /** Announced uploads seen (in a listing or the journal): streamed while they go. */
    const pending = new Set<string>();
    for (;;) {
      if (cursor === undefined) {
        const latest = await remote.getLatestCursor(signal);
        const listing = await remote.listFolder({ path: '/', recursive: true }, signal);
        state.transaction(() => {
          replaceRemoteTree(state, listing, clock.nowMs());
          state.cursors.set(this.cursorKey, latest, clock.nowMs());
        });
        cursor = latest;
        entries = [];
        listed = true;
        for (const entry of listing) {
          if (entry.type === 'file' && entry.status === 'pending') pending.add(entry.path);
        }
      }
      const result = await remote.listChanges({ cursor, limit: 1000 }, signal);
      if (result.kind === 'cursor_expired') {
        // Too old for the journal: list everything again; local and synced rows stay, so no
        // local edit is lost (the planner compares them with the new listing).
        cursor = undefined;
        continue;
      }
      entries.push(...result.entries);
      cursor = result.cursor;
      if (!result.hasMore) break;
    }
    const read = entries;
    const after = cursor;
    state.transaction(() => {
      applyRemoteChanges(state, read, clock.nowMs());
      state.cursors.set(this.cursorKey, after, clock.nowMs());
      settleCommitIntents(state, clock.nowMs());
    });
    // Streaming sync: an announced upload's blocks are fetched while it is still going.
    for (const entry of read) {
      if (entry.tag === 'file' && entry.status === 'pending') pending.add(entry.path);
      if (entry.tag === 'deleted') void this.streams.release(entry.path);
    }
    for (const path of pending) if (!this.editedHere(path)) this.streams.start(path, signal);
    return listed || read.length > 0;
  }

  /**
   * Whether the file at `path` here differs from the merge base (new or edited here): then an
   * announce of it is most likely our own upload, and nothing is streamed.
   */
  private editedHere(path: string): boolean {
    const { items } = this.options.state;
    const local = items.local.getByPath(path);
    if (local === undefined) return false;
    const synced = items.synced.get(local.itemId);
    return synced === undefined || synced.fingerprint !== local.fingerprint;
  }

  /** Ends the streams of announced uploads (call before closing the state). */
  async stopStreams(): Promise<void> {
    await this.streams.stop();
  }

  /**
   * The rules of `.ferryignore` as the disk has it now (the defaults alone without one); kept
   * for the planner, which leaves ignored paths alone on both sides.
   */
  private async readIgnoreRules(signal: AbortSignal): Promise<IgnoreRules> {
    let text = '';
    try {
      const chunks: Uint8Array[] = [];
      for await (const chunk of this.options.fs.readFile(`/${FERRY_IGNORE_FILE}`, signal)) {
        chunks.push(chunk.slice()); // a chunk's buffer is reused for the next one
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch {
      text = '';
    }
    if (this.ignore?.text !== text) {
      const rules = withExcludedFolders(createIgnoreRules(text), this.excluded);
      this.ignore = { text, rules };
    }
    return this.ignore.rules;
  }

  /**
   * Scans the whole folder (the quick check reads only changed files) into the local tree;
   * returns how many rows changed.
   */
  async scan(signal: AbortSignal): Promise<number> {
    const { state, fs, clock } = this.options;
    const ignore = await this.readIgnoreRules(signal);
    const rows = state.items.local.list();
    const known = new Map<string, KnownEntry>(rows.map((row) => [row.path, row]));
    const knownByInode = new Map<string, KnownEntry>(rows.map((row) => [row.inode, row]));
    const scanOnce = () =>
      scanFolder({
        fs,
        ignore,
        known,
        knownByInode,
        fingerprint: fingerprintThrough(fs),
        signal,
      });
    let result = await scanOnce();
    // A walk is not a snapshot: an entry renamed while it ran, from a folder not listed yet to
    // one listed already, is seen nowhere, and would be taken for deleted (on the server too).
    // What seems gone is confirmed by a second walk (cheap: the quick check reads nothing
    // unchanged), which finds a moved entry at its new path.
    const seenPaths = new Set(result.entries.map((entry) => entry.path));
    const seenInodes = new Set(result.entries.map((entry) => entry.inode));
    if (rows.some((row) => !seenPaths.has(row.path) && !seenInodes.has(row.inode))) {
      result = await scanOnce();
    }
    this.scanProblems = result.problems;
    // What could not be read this time is not gone: its rows stay until a scan sees it.
    const unreadable = result.problems.flatMap((problem) =>
      problem.kind === 'unreadable' ? [problem.path] : [],
    );
    return state.transaction(() =>
      applyLocalScan(state, result.entries, clock.nowMs(), unreadable),
    );
  }

  /**
   * The plan over the trees as they are. The planner is a pure function of the trees, so while
   * their version has not moved the last plan still holds (a pass that pulled and scanned
   * nothing costs no listing of 100,000 rows); and a version that gave an empty plan before a
   * restart gives it again, which makes start-up over an agreed folder skip the planner.
   */
  plan(): Plan {
    const { items, settings } = this.options.state;
    const version = items.treeVersion();
    const memo = this.planMemo;
    // Before `.ferryignore` is read, the defaults (and the excluded folders) still hold.
    const ignore = this.ignore ?? {
      text: '',
      rules: withExcludedFolders(DEFAULT_IGNORE_RULES, this.excluded),
    };
    const ignoreKey = `${[...this.excluded].join('/')}\0${ignore.text}`;
    if (
      memo?.version === version &&
      memo.allowMassDelete === this.allowMassDelete &&
      memo.ignoreKey === ignoreKey
    )
      return memo.plan;
    let plan: Plan;
    // Agreement holds for the trees and for the rules it was reached under: including an
    // excluded folder again, or a `.ferryignore` read anew, moves no tree and still replans.
    const agreedMark = `${version} ${createHash('sha256').update(ignoreKey).digest('base64url')}`;
    if (memo === undefined && settings.get(AGREED_TREE_VERSION) === agreedMark) plan = EMPTY_PLAN;
    else {
      plan = planOperations({
        local: items.local.list(),
        remote: outsideIgnored(items.remote.list(), ignore.rules),
        synced: outsideIgnored(items.synced.list(), ignore.rules),
        allowMassDelete: this.allowMassDelete,
        ...(this.options.massDelete === undefined ? {} : { massDelete: this.options.massDelete }),
      });
    }
    this.planMemo = {
      version,
      allowMassDelete: this.allowMassDelete,
      ignoreKey,
      plan,
    };
    // Empty needs no held deletes or notices either: then no option of the planner matters.
    const empty =
      plan.operations.length === 0 && plan.heldDeletes.length === 0 && plan.notices.length === 0;
    if (empty && settings.get(AGREED_TREE_VERSION) !== agreedMark)
      settings.set(AGREED_TREE_VERSION, agreedMark);
    return plan;
  }

  private context(signal: AbortSignal): ExecuteContext {
    const { state, fs, remote, clock, report, rootNamespace, deviceName } = this.options;
    return {
      state,
      fs,
      remote,
      clock,
      report,
      rootNamespace,
      deviceName,
      createFingerprinter,
      codec: this.options.codec,
      signal,
      streams: this.streams,
      throttle: async (direction, bytes, throttleSignal) => {
        await this.limiters[direction]?.take(bytes, throttleSignal);
      },
      pulledCursor: () => state.cursors.get(this.cursorKey),
      namespaceKey: (namespace, keySignal) => {
        let key = this.keys.get(namespace);
        if (key === undefined) {
          key = remote.getNamespaceKey(namespace, keySignal);
          key.catch(() => this.keys.delete(namespace));
          this.keys.set(namespace, key);
        }
        return key;
      },
    };
  }

  /** Waiting for another name: this device's file system refused the one it has. */
  private isRefusedName(operation: Operation): boolean {
    const failure = this.failures.get(operation.itemId);
    return (
      failure?.code === NAME_REFUSED &&
      failure.operation === operation.kind &&
      failure.path === pathOf(operation)
    );
  }

  /**
   * A refused name that holds nothing back: not a file edited here whose move (to the name
   * refused) comes first, or the edit would wait unseen while the folder says up to date.
   */
  private isSettled(operation: Operation): boolean {
    if (!this.isRefusedName(operation)) return false;
    if (operation.kind !== 'move_local') return true;
    const { items } = this.options.state;
    return (
      items.local.get(operation.itemId)?.fingerprint ===
      items.synced.get(operation.itemId)?.fingerprint
    );
  }

  private isDue(operation: Operation, nowMs: number): boolean {
    if (operation.kind === 'upload' && this.quotaExceeded) return false;
    if (
      (operation.kind === 'download' || operation.kind === 'mkdir_local') &&
      nowMs < this.diskFullUntilMs
    ) {
      return false;
    }
    const failure = this.failures.get(operation.itemId);
    if (failure === undefined) return true;
    // A refused name renamed on the server (or its folder) is worth a try at once.
    if (failure.code === NAME_REFUSED && !this.isRefusedName(operation)) return true;
    return failure.nextAttemptMs <= nowMs;
  }

  private recordFailure(operation: Operation, error: unknown): void {
    const nowMs = this.options.clock.nowMs();
    const previous = this.failures.get(operation.itemId);
    const attempts = (previous?.attempts ?? 0) + 1;
    const path = pathOf(operation);
    const refusal = nameRefusalOf(operation.kind, path, error);
    if (refusal !== undefined) {
      // The same name will be refused again: try rarely (the name may be fine after all, a
      // transient EINVAL), and at once when it changes (isDue).
      this.failures.set(operation.itemId, {
        path,
        operation: operation.kind,
        code: NAME_REFUSED,
        message: refusal,
        attempts,
        nextAttemptMs: nowMs + computeBackoffMs(attempts, NAME_REFUSED_BACKOFF),
        ...(operation.kind === 'move_local' ? { fromPath: operation.from } : {}),
      });
      return;
    }
    const code =
      error instanceof RemoteError
        ? error.code
        : ((error as NodeJS.ErrnoException).code ?? 'internal_error');
    const retryAfterMs = error instanceof RemoteError ? error.retryAfterMs : undefined;
    this.failures.set(operation.itemId, {
      path,
      operation: operation.kind,
      code,
      message: error instanceof Error ? error.message : String(error),
      attempts,
      nextAttemptMs: nowMs + Math.max(retryAfterMs ?? 0, computeBackoffMs(attempts)),
    });
  }

  /** Books one operation's end: clears or records its failure, counts stale answers. */
  private settle(operation: Operation, outcome: BatchOutcome, signal: AbortSignal): boolean {
    if (outcome === 'done') {
      this.doneInLatestPlan.add(operation.itemId);
      this.failures.delete(operation.itemId);
      this.staleCounts.delete(operation.itemId);
      return true;
    }
    if (outcome === 'stale') {
      // The next round plans again. An item that stays stale (its premise never holds) waits
      // like a failure instead of spinning the round.
      const stale = (this.staleCounts.get(operation.itemId) ?? 0) + 1;
      this.staleCounts.set(operation.itemId, stale);
      if (stale >= MAX_STALE_ATTEMPTS) {
        this.recordFailure(
          operation,
          Object.assign(new Error(`what ${operation.kind} was planned on keeps changing`), {
            code: 'stale',
          }),
        );
      }
      return false;
    }
    const { error } = outcome;
    if (signal.aborted) throw error;
    if (error instanceof RemoteError && STOPPING_CODES.has(error.code))
      throw new RoundStopped(error);
    if (error instanceof RemoteError && error.code === 'quota_exceeded') this.quotaExceeded = true;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && DISK_FULL.has(code))
      this.diskFullUntilMs = this.options.clock.nowMs() + 30_000;
    this.recordFailure(operation, error);
    return false;
  }

  /** Runs one unit of work (an operation, or a batch of small transfers); true if any was done. */
  private async runUnit(unit: WorkUnit, signal: AbortSignal): Promise<boolean> {
    let outcomes: BatchOutcome[];
    try {
      const context = this.context(signal);
      if (unit.kind === 'uploads') outcomes = await uploadFiles(context, unit.operations);
      else if (unit.kind === 'downloads') outcomes = await downloadFiles(context, unit.operations);
      else if (unit.kind === 'local_deletes')
        outcomes = await deleteLocalFiles(context, unit.operations);
      else outcomes = [await executeOperation(context, unit.operations[0])];
    } catch (error) {
      // The whole unit failed (a request of a batch): every operation in it did.
      outcomes = unit.operations.map(() => ({ error }));
    }
    let done = false;
    let stopped: unknown;
    for (const [at, operation] of unit.operations.entries()) {
      try {
        if (this.settle(operation, outcomes[at]!, signal)) done = true;
      } catch (error) {
        stopped ??= error;
      }
    }
    if (stopped !== undefined) throw stopped;
    return done;
  }

  /**
   * Runs `operations` with bounded concurrency, small uploads and downloads in batches; the
   * first stopping failure ends the batch. True when at least one of them was done.
   */
  private async runAll(operations: readonly Operation[], signal: AbortSignal): Promise<boolean> {
    const limit = this.options.concurrency ?? 16;
    const units = workUnitsOf(operations, this.options.state.items);
    let next = 0;
    let stopped: unknown;
    let done = false;
    const worker = async () => {
      while (next < units.length && stopped === undefined) {
        const unit = units[next++]!;
        try {
          if (await this.runUnit(unit, signal)) done = true;
        } catch (error) {
          stopped ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, units.length) }, worker));
    if (stopped !== undefined) throw stopped;
    return done;
  }

  /**
   * Pulls, scans, plans and executes until the plan is empty or only operations waiting for a
   * retry (or held deletions) remain. Throws RoundStopped when the server cannot be reached or
   * the device was signed out.
   */
  async syncUntilAgreed(signal: AbortSignal): Promise<SyncOutcome> {
    this.quotaExceeded = false;
    // Planned after the first pull and scan: a plan before them would be thrown away unused.
    let plan: Plan | undefined;
    let idle: string | undefined;
    try {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const pulled = await this.pull(signal);
        if (this.evictionDue) await this.evictExcluded(signal);
        const scanned = ((await this.options.shouldScan?.()) ?? true) ? await this.scan(signal) : 0;
        if (this.ignore === undefined) await this.readIgnoreRules(signal);
        // Something moved on the server or on disk since the last round (a file edited while
        // it was uploaded, say): the same operations have a new premise, and are tried again.
        if (pulled || scanned > 0) idle = undefined;
        plan = this.plan();
        this.undoneMoves.note(plan.notices, this.options.clock.nowMs());
        this.latestPlan = plan;
        this.doneInLatestPlan.clear();
        const nowMs = this.options.clock.nowMs();
        const due = independentOperations(
          plan.operations.filter((operation) => this.isDue(operation, nowMs)),
        );
        if (due.length === 0) break;
        // The same operations as a round in which none was done (each found its premise gone):
        // the trees did not move, so running them again would only spin. The round ends
        // unagreed; the next wake-up (a change on disk or on the server) tries again.
        const key = JSON.stringify(due);
        if (key === idle) break;
        idle = (await this.runAll(due, signal)) ? undefined : key;
      }
    } catch (error) {
      if (error instanceof RemoteError && STOPPING_CODES.has(error.code))
        throw new RoundStopped(error);
      throw error;
    }
    plan ??= this.plan();
    const planned = new Set(plan.operations.map((operation) => operation.itemId as string));
    for (const itemId of this.failures.keys())
      if (!planned.has(itemId)) this.failures.delete(itemId);
    return {
      agreed:
        plan.operations.every((operation) => this.isSettled(operation)) &&
        plan.heldDeletes.length === 0,
      plan,
      failures: [...this.failures.values()],
      scanProblems: this.scanProblems,
      quotaExceeded: this.quotaExceeded,
      diskFull: this.options.clock.nowMs() < this.diskFullUntilMs,
      undoneMoves: this.undoneMoves.current(this.options.state.items, this.options.clock.nowMs()),
    };
  }

  /** When the next retry is due, if any operation waits for one. */
  nextRetryMs(): number | undefined {
    let earliest: number | undefined;
    for (const failure of this.failures.values()) {
      if (earliest === undefined || failure.nextAttemptMs < earliest)
        earliest = failure.nextAttemptMs;
    }
    return earliest;
  }

  /** Lets uploads try again (after the user freed space, or at the next round). */
  clearQuotaPause(): void {
    this.quotaExceeded = false;
  }
}

export { isRetryableCode };
