/**
 * createEngine(): the composition root of one synced folder. It owns the state, the folder
 * sync, the event log and the scheduler: a round runs at start, on every watcher batch and
 * long-poll wake-up, at the next retry time and at the periodic full rescan (watchers miss
 * events). Implements EngineControl, the contract the CLI, the desktop app and the browser UI
 * drive it through.
 */
import { setMaxListeners } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ControlError,
  createAccountControl,
  createFileImport,
  DownloadTickets,
  EventLog,
  type ConflictInfo,
  type ConflictKeep,
  type EngineControl,
  type EngineEvent,
  type EngineProblem,
  type EngineState,
  type EngineStatus,
  type EventBatch,
  type AccountControl,
} from './control/index.js';
import { createBlockCodecPool } from './blocks/index.js';
import { createNodeFileSystem } from './disk/node-file-system.js';
import { TEMP_FOLDER, type ExecuteReporter } from './execute/execute-context.js';
import { recoverMovedAside } from './execute/moved-aside.js';
import { FolderSync, RoundStopped, type SyncOutcome } from './loop/folder-sync.js';
import { systemClock } from './system-clock.js';
import { Wakeup } from './loop/wakeup.js';
import { differsFromLocalTree, ScanNeed } from './loop/scan-need.js';
import { createIgnoreRules } from './ignore/ignore-rules.js';
import { watchFolder, type FolderWatcher } from './watch/folder-watcher.js';
import type { MassDeletePolicy } from './plan/index.js';
import type { Clock, FileSystem } from './ports.js';
import type { ActivityResponse, Cursor, NamespaceId, UserId } from './protocol/index.js';
import { EngineError } from './errors.js';
import { createRemoteClient, RemoteError, type RemoteClient } from './remote/index.js';
import { openClientState, type Conflict, type ConflictResolution } from './state/index.js';
import { pendingBytesOf, problemsOf, TransferMeter } from './engine-status.js';
import {
  createEngineSettings,
  startingExcludedFolders,
  startingLimits,
} from './engine-settings.js';
import { describeConflictVersions } from './conflict-versions.js';

/**
 * Full rescans: watchers miss events (a queue overflow, a file system without notifications),
 * but a scan of 100,000 files costs seconds of CPU, so only hourly while the watcher works.
 */
const RESCAN_WATCHED_MS = 3_600_000;
const RESCAN_UNWATCHED_MS = 60_000;

export interface EngineOptions {
  /** The synced folder, an absolute OS path (created when missing). */
  readonly folder: string;
  /** The state database file. */
  readonly statePath: string;
  readonly serverUrl: string;
  readonly token: string;
  readonly userId: UserId;
  readonly rootNamespace: NamespaceId;
  readonly email: string;
  readonly deviceName: string;
  /** Hold no deletions (`--allow-mass-delete`). */
  readonly allowMassDelete?: boolean;
  readonly massDelete?: MassDeletePolicy;
  /** Bandwidth limits (`--limit-up`, `--limit-down`), bytes per second. */
  readonly limitUpBytesPerSecond?: number;
  readonly limitDownBytesPerSecond?: number;
  /**
   * Full rescan interval while running: default 1 h while the watcher works (as Syncthing),
   * 60 s without one or once it reported a failure.
   */
  readonly rescanIntervalMs?: number;
  /** Watch the folder for changes while running (default true). */
  readonly watch?: boolean;
  /** Ports, for tests and the simulation; real ones by default. */
  readonly clock?: Clock;
  readonly fs?: FileSystem;
  readonly remote?: RemoteClient;
}

/** How `syncOnce` ended. */
export interface SyncOnceResult {
  readonly agreed: boolean;
  /** Why not, in the user's words. */
  readonly reason?: string;
  readonly status: EngineStatus;
}

export interface Engine extends EngineControl {
  /** Syncs until both sides agree (or it cannot go on) and returns. */
  syncOnce(signal?: AbortSignal): Promise<SyncOnceResult>;
  /** Runs until close(): rounds on wake-ups, long-poll, retries and rescans. */
  run(): Promise<void>;
  /** Publishes an event (the CLI's own events: e.g. the control address). */
  publish(event: EngineEvent): void;
  /** The zip behind a download ticket (for the control server's `/api/downloads/…`). */
  openZipDownload: AccountControl['openZipDownload'];
  close(): Promise<void>;
}

const RESOLUTIONS: Record<ConflictKeep, ConflictResolution> = {
  mine: 'keep_mine',
  theirs: 'keep_theirs',
  both: 'keep_both',
};

function conflictInfo(conflict: Conflict): ConflictInfo {
  return {
    id: conflict.id,
    path: conflict.path,
    copyPath: conflict.conflictedCopyPath ?? null,
    reason: conflict.reason,
    detectedMs: conflict.detectedMs,
  };
}

/** Opens the folder's state and wires the engine; nothing runs until syncOnce or run. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const fs = options.fs ?? createNodeFileSystem(options.folder);
  await fs.mkdir('/');
  const ownRemote = options.remote === undefined;
  const remote =
    options.remote ?? createRemoteClient({ baseUrl: options.serverUrl, token: options.token });
  const state = openClientState(options.statePath);
  // A state belongs to one account on one server: its trees describe that account's files.
  const owner = { serverUrl: options.serverUrl, userId: options.userId };
  const recorded = state.settings.get('account') as typeof owner | undefined;
  if (recorded === undefined) {
    state.settings.set('account', owner);
  } else if (recorded.serverUrl !== owner.serverUrl || recorded.userId !== owner.userId) {
    state.close();
    throw new Error(
      `${options.statePath} holds the sync state of another account (${recorded.serverUrl}); use another --home, or delete that file to start over`,
    );
  }
  const events = new EventLog({ clock });
  const meter = new TransferMeter();
  const wakeup = new Wakeup(clock);
  /** Woken at the end of every round: the long-poll waits for it before polling again. */
  const roundEnded = new Wakeup(clock);
  const closing = new AbortController();
  // Every running operation (16 at a time) and its requests listen to this one signal.
  setMaxListeners(256, closing.signal);

  let engineState: EngineState = 'starting';
  let message: string | undefined;
  let paused = false;
  let lastOutcome: SyncOutcome | undefined;
  let lastSyncedMs: number | null = null;
  let account: EngineStatus['account'] = null;
  let problems: EngineProblem[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  const publish = (event: EngineEvent) => events.publish(event);
  const setState = (next: EngineState, why?: string) => {
    if (next === engineState && why === message) return;
    engineState = next;
    message = why;
    publish({ type: 'state', state: next, ...(why === undefined ? {} : { message: why }) });
  };
  const report: ExecuteReporter = {
    synced: (action, syncedPath, details) => {
      meter.filesDone += 1;
      publish({ type: 'synced', action, path: syncedPath, ...details });
    },
    conflict: (conflict) => publish({ type: 'conflict', conflict: conflictInfo(conflict) }),
    problem: (code, text, problemPath) => {
      const problem = {
        code,
        message: text,
        sinceMs: clock.nowMs(),
        ...(problemPath === undefined ? {} : { path: problemPath }),
      };
      publish({ type: 'problem', problem });
    },
    transferred: (direction, bytes) => meter.add(direction, bytes, clock.nowMs()),
  };
  // Encodes the blocks of large uploads off the event loop; workers start on first use.
  const codec = createBlockCodecPool();
  const limits = startingLimits(state.settings, {
    ...(options.limitUpBytesPerSecond === undefined ? {} : { up: options.limitUpBytesPerSecond }),
    ...(options.limitDownBytesPerSecond === undefined
      ? {}
      : { down: options.limitDownBytesPerSecond }),
  });
  const sync = new FolderSync({
    state,
    fs,
    remote,
    clock,
    report,
    codec,
    serverUrl: options.serverUrl,
    userId: options.userId,
    rootNamespace: options.rootNamespace,
    deviceName: options.deviceName,
    ...(options.massDelete === undefined ? {} : { massDelete: options.massDelete }),
    ...(limits.up === undefined ? {} : { limitUpBytesPerSecond: limits.up }),
    ...(limits.down === undefined ? {} : { limitDownBytesPerSecond: limits.down }),
    excludedFolders: startingExcludedFolders(state.settings),
    shouldScan: () => shouldScan(),
  });
  sync.allowMassDelete = options.allowMassDelete === true;
  // A crash can leave a file we know set aside there (it goes back, or stays as a copy) and a
  // download's temporary file (dropped); nothing else is in there.
  await recoverMovedAside(fs, state, {
    clock,
    deviceName: options.deviceName,
    signal: closing.signal,
  });
  await fs.removeTree(TEMP_FOLDER);

  const status = (): EngineStatus => {
    // What the plan being worked on still has to do.
    const pending = (sync.latestPlan?.operations ?? []).filter(
      (operation) => !sync.doneInLatestPlan.has(operation.itemId),
    );
    const plan = lastOutcome?.plan;
    return {
      state: engineState,
      ...(message === undefined ? {} : { message }),
      folder: options.folder,
      serverUrl: options.serverUrl,
      email: options.email,
      deviceName: options.deviceName,
      paused,
      account,
      progress: meter.progress(clock.nowMs(), {
        files: pending.length,
        bytes: pendingBytesOf(pending, state.items),
      }),
      problems,
      heldDeletes:
        plan !== undefined && plan.heldDeletes.length > 0
          ? {
              count: plan.heldDeleteFiles,
              paths: plan.heldDeletes.map((operation) => operation.path),
            }
          : null,
      lastSyncedMs,
    };
  };

  /** `meter.filesDone` when the account was last read after a round. */
  let filesDoneAtAccount = 0;
  const refreshAccount = async () => {
    try {
      const answer = await remote.getAccount(closing.signal);
      const changed = account?.usedBytes !== answer.usedBytes;
      account = { usedBytes: answer.usedBytes, quotaBytes: answer.quotaBytes };
      // Tells windows following the events to read the status again.
      if (changed) publish({ type: 'progress', progress: status().progress });
    } catch {
      // Shown as unknown; the round itself reports connection problems.
    }
  };

  /** One round; returns the outcome, or undefined when the server could not be reached. */
  const round = async (): Promise<SyncOutcome | undefined> => {
    setState('syncing');
    roundRunning = true;
    try {
      return await roundOnce();
    } finally {
      roundRunning = false;
      if (deferredPaths.size > 0) checkWatched(takeDeferred());
      roundEnded.wake();
    }
  };

  const roundOnce = async (): Promise<SyncOutcome | undefined> => {
    try {
      const outcome = await sync.syncUntilAgreed(closing.signal);
      lastOutcome = outcome;
      const before = new Set(problems.map((problem) => `${problem.code} ${problem.path ?? ''}`));
      problems = problemsOf(outcome, clock.nowMs());
      for (const problem of problems) {
        if (!before.has(`${problem.code} ${problem.path ?? ''}`))
          publish({ type: 'problem', problem });
      }
      // Storage use changes with what a round synced: read it again (one small request).
      if (outcome.quotaExceeded || meter.filesDone !== filesDoneAtAccount) {
        filesDoneAtAccount = meter.filesDone;
        void refreshAccount();
      }
      if (outcome.agreed) lastSyncedMs = clock.nowMs();
      // Paused while this round ran (its transfers were let finish): say paused, not idle.
      if (paused) {
        setState('paused');
      } else if (outcome.plan.heldDeletes.length > 0) {
        setState('held', `${outcome.plan.heldDeleteFiles} deletions wait for your confirmation`);
      } else if (outcome.agreed) {
        setState('idle');
      } else {
        setState('syncing', `${outcome.plan.operations.length} changes wait for a retry`);
      }
      if (
        sync.allowMassDelete &&
        options.allowMassDelete !== true &&
        outcome.plan.heldDeletes.length === 0
      ) {
        sync.allowMassDelete = false;
      }
      return outcome;
    } catch (error) {
      if (closing.signal.aborted) return undefined;
      if (error instanceof RoundStopped && error.cause.code === 'unauthorized') {
        const signedOut = 'This device was signed out: run `ferry login` again';
        setState('error', signedOut);
        publish({ type: 'error', code: 'unauthorized', message: signedOut });
        throw new EngineError('unauthorized', signedOut, { cause: error.cause });
      }
      if (error instanceof RoundStopped) {
        setState('offline', `The server cannot be reached (${error.cause.code}); retrying`);
        return undefined;
      }
      throw error;
    }
  };

  /** Resolves when a round has pulled past `cursor`, or after 30 s (paused, offline). */
  const untilCursorMovesFrom = async (cursor: Cursor) => {
    const deadline = clock.nowMs() + 30_000;
    while (!closing.signal.aborted && clock.nowMs() < deadline) {
      await roundEnded.wait(deadline - clock.nowMs(), closing.signal);
      const now = state.cursors.get({ serverUrl: options.serverUrl, userId: options.userId });
      if (now !== cursor) return;
    }
  };

  const longPoll = async () => {
    let failures = 0;
    while (!closing.signal.aborted) {
      const cursor = state.cursors.get({ serverUrl: options.serverUrl, userId: options.userId });
      try {
        if (cursor === undefined) {
          // The first round has not listed the server yet.
          await clock.sleep(500, closing.signal);
          continue;
        }
        const answer = await remote.longPoll({ cursor, timeoutSeconds: 30 }, closing.signal);
        failures = 0;
        if (answer.changes) {
          wakeup.wake();
          // The cursor moves only when a round pulls: polling again before that would be
          // answered at once, over and over, for as long as the round runs.
          await untilCursorMovesFrom(cursor);
        }
        if (answer.backoffMs !== undefined) await clock.sleep(answer.backoffMs, closing.signal);
      } catch (error) {
        if (closing.signal.aborted) return;
        if (error instanceof RemoteError && error.code === 'unauthorized') return;
        failures += 1;
        // Jittered, growing pause: a restarting server is not hammered by every device at once.
        const delay =
          Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        await clock.sleep(delay, closing.signal).catch(() => undefined);
        wakeup.wake();
      }
    }
  };

  let watcherFailed = false;
  let watcherRuns = false;
  const rescanIntervalMs = () =>
    options.rescanIntervalMs ??
    (watcherRuns && !watcherFailed ? RESCAN_WATCHED_MS : RESCAN_UNWATCHED_MS);
  const scanNeed = new ScanNeed(() => clock.nowMs(), rescanIntervalMs);
  /**
   * Paths the watcher reported while a round ran. The round's own downloads, deletes and moves
   * are among them, and their rows are recorded only when their batch ends: compared at once,
   * they would differ and cost a full scan each time. They are compared at the round's next
   * pass (FolderSync `shouldScan`), or when it ends.
   */
  const deferredPaths = new Set<string>();
  let roundRunning = false;
  const takeDeferred = () => {
    const paths = [...deferredPaths];
    deferredPaths.clear();
    return paths;
  };
  /** A watcher batch: a round, with a scan, only for what the local tree does not hold yet. */
  const checkWatched = (paths: readonly string[]) => {
    const dirty = () => {
      scanNeed.markDirty();
      wakeup.wake();
    };
    differsFromLocalTree(paths, fs, state).then((differs) => differs && dirty(), dirty);
  };
  const onWatchedChanges = (paths: readonly string[]) => {
    if (!roundRunning) return checkWatched(paths);
    for (const path of paths) deferredPaths.add(path);
  };
  const shouldScan = async () => {
    if (deferredPaths.size > 0) {
      const differs = await differsFromLocalTree(takeDeferred(), fs, state).catch(() => true);
      if (differs) scanNeed.markDirty();
    }
    return scanNeed.shouldScan();
  };
  const startWatcher = async (): Promise<FolderWatcher | undefined> => {
    if (options.watch === false) return undefined;
    // The defaults only: the scan a wake-up triggers applies .ferryignore as well.
    const ignore = createIgnoreRules();
    try {
      return await watchFolder({
        root: options.folder,
        isIgnored: (watched) => ignore.isIgnored(watched, false),
        clock,
        stat: (watched) => fs.stat(watched),
        onChanges: onWatchedChanges,
        onError: (error) => {
          watcherFailed = true;
          scanNeed.setWatcherWorks(false);
          report.problem(
            'watcher_failed',
            `Watching the folder failed (${error.message}); changes are found by the rescan`,
          );
        },
      });
    } catch (error) {
      report.problem(
        'watcher_failed',
        `Cannot watch the folder (${(error as Error).message}); changes are found by the rescan`,
      );
      return undefined;
    }
  };

  const run = async () => {
    void refreshAccount();
    const poller = longPoll();
    const watcher = await startWatcher();
    watcherRuns = watcher !== undefined;
    scanNeed.setWatcherWorks(watcherRuns && !watcherFailed);
    let offlineRounds = 0;
    try {
      while (!closing.signal.aborted) {
        let waitMs = rescanIntervalMs();
        if (paused) {
          setState('paused');
        } else {
          const outcome = await round();
          if (outcome === undefined) {
            offlineRounds += 1;
            waitMs = Math.min(30_000, 1000 * 2 ** Math.min(offlineRounds, 5));
          } else {
            offlineRounds = 0;
            const retryAt = sync.nextRetryMs();
            if (retryAt !== undefined)
              waitMs = Math.max(100, Math.min(waitMs, retryAt - clock.nowMs()));
          }
        }
        await wakeup.wait(waitMs, closing.signal);
      }
    } finally {
      closing.abort();
      await watcher?.close();
      await poller.catch(() => undefined);
    }
  };

  const findConflict = (conflictPath: string): Conflict => {
    const conflict = state.conflicts
      .listUnresolved()
      .find(
        (candidate) =>
          candidate.path === conflictPath || candidate.conflictedCopyPath === conflictPath,
      );
    if (conflict === undefined) {
      throw new ControlError('conflict_not_found', `No unresolved conflict at ${conflictPath}`);
    }
    return conflict;
  };

  /** Copies the conflicted copy's bytes over the path (a new inode: the path keeps its item). */
  const keepMine = async (conflict: Conflict) => {
    const copy = conflict.conflictedCopyPath;
    if (copy === undefined || (await fs.stat(copy)) === undefined) return;
    await fs.mkdir(TEMP_FOLDER);
    const temp = `${TEMP_FOLDER}/resolve-${conflict.id}`;
    const writer = await fs.createFile(temp);
    try {
      for await (const chunk of fs.readFile(copy)) await writer.write(chunk);
      await writer.sync();
    } finally {
      await writer.close();
    }
    await fs.rename(temp, conflict.path);
    await fs.removeFile(copy);
  };

  const engine: Engine = {
    getStatus: async () => status(),
    listConflicts: async () => state.conflicts.listUnresolved().map(conflictInfo),
    resolveConflict: async (conflictPath, keep) => {
      const conflict = findConflict(conflictPath);
      if (keep === 'mine') await keepMine(conflict);
      if (keep === 'theirs' && conflict.conflictedCopyPath !== undefined) {
        await fs.removeFile(conflict.conflictedCopyPath);
      }
      state.conflicts.resolve(conflict.id, RESOLUTIONS[keep], clock.nowMs());
      const info = conflictInfo(conflict);
      publish({ type: 'resolved', conflict: info, keep });
      wakeup.wake();
      return info;
    },
    describeConflict: async (conflictPath) =>
      describeConflictVersions(conflictInfo(findConflict(conflictPath)), {
        fs,
        listRevisions: (path) => remote.listRevisions({ path, limit: 1 }, closing.signal),
        deviceName: options.deviceName,
      }),
    pause: async () => {
      paused = true;
      setState('paused');
      return status();
    },
    resume: async () => {
      paused = false;
      // The woken loop starts a round at once: the answer should not still say paused.
      if (engineState === 'paused' && running !== undefined && !closed) setState('syncing');
      wakeup.wake();
      return status();
    },
    allowMassDelete: async () => {
      if (lastOutcome === undefined || lastOutcome.plan.heldDeletes.length === 0) {
        throw new ControlError('nothing_held', 'No deletions are waiting for a confirmation');
      }
      sync.allowMassDelete = true;
      wakeup.wake();
      return status();
    },
    listActivity: async (request): Promise<ActivityResponse> =>
      remote.listActivity(
        {
          ...(request.cursor === undefined ? {} : { cursor: request.cursor as never }),
          ...(request.limit === undefined ? {} : { limit: request.limit }),
        },
        closing.signal,
      ),
    waitForEvents: (after, timeoutMs, signal): Promise<EventBatch> =>
      events.waitForEvents(after, timeoutMs, signal),
    ...createAccountControl({
      server: remote,
      signal: closing.signal,
      onServerChanged: () => wakeup.wake(),
      tickets: new DownloadTickets({
        nowMs: () => clock.nowMs(),
        newTicket: () => randomBytes(32).toString('base64url'),
      }),
    }),
    ...createEngineSettings({
      fs,
      settings: state.settings,
      tempFolder: TEMP_FOLDER,
      limits,
      applyLimits: (next) => sync.setLimits(next),
      onIgnoreChanged: () => {
        scanNeed.markDirty();
        wakeup.wake();
      },
      applyExcludedFolders: (names) => {
        sync.setExcludedFolders(names);
        scanNeed.markDirty();
        wakeup.wake();
      },
    }),
    completeFirstRun: async () => {
      throw new ControlError(
        'already_signed_in',
        `this device is signed in as ${options.email} on ${options.serverUrl}`,
      );
    },
    importFile: createFileImport({
      fs,
      tempFolder: TEMP_FOLDER,
      tempName: () => `import-${randomUUID()}`,
      onImported: () => wakeup.wake(),
    }),
    publish,
    syncOnce: async () => {
      await refreshAccount();
      const outcome = await round();
      if (outcome === undefined) {
        return {
          agreed: false,
          reason: message ?? 'the server cannot be reached',
          status: status(),
        };
      }
      if (outcome.agreed) return { agreed: true, status: status() };
      const reason =
        outcome.plan.heldDeletes.length > 0
          ? `${outcome.plan.heldDeleteFiles} deletions are held: run again with --allow-mass-delete to delete them on the server`
          : (problems.find((problem) => problem.code !== 'waiting')?.message ??
            `${outcome.plan.operations.length} changes could not be synced`);
      return { agreed: false, reason, status: status() };
    },
    run: () => {
      running ??= run();
      return running;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      closing.abort();
      await running?.catch(() => undefined);
      await sync.stopStreams();
      await codec.close();
      setState('stopped');
      events.close();
      if (ownRemote) remote.close();
      state.close();
    },
  };
  return engine;
}
