/**
 * The control contract: what a user (through the CLI, the desktop app or the browser UI) can ask
 * a running engine, and what the engine tells them. Everything that crosses the bridge derives
 * from it (STYLE.md section 3): the HTTP routes below, later the IPC channels. Payloads are plain
 * JSON shaped for the UI (strings, numbers, arrays, epoch-ms times).
 *
 * Pure: no `node:` imports, no I/O, no side effects on import; only types from ../protocol.
 */
import type { ActivityResponse } from '../protocol/index.js';

/** The activity feed's types, re-exported: the UI reads the contract and nothing else. */
export type { ActivityEvent, ActivityKind, ActivityResponse } from '../protocol/index.js';

/**
 * What the engine is doing, from the user's point of view:
 * - `starting`: opening its state, signing in; `scanning`: the start-up scan or a full rescan;
 * - `syncing`: transfers or commits under way; `idle`: both sides agree;
 * - `paused`: the user paused it; `offline`: the server cannot be reached (it retries);
 * - `held`: a mass delete waits for confirmation (see `heldDeletes`);
 * - `error`: it cannot go on without the user (revoked device, unusable folder), see `message`;
 * - `stopped`: it has shut down.
 */
export const ENGINE_STATES = [
  'starting',
  'scanning',
  'syncing',
  'idle',
  'paused',
  'offline',
  'held',
  'error',
  'stopped',
] as const;

/** One of {@link ENGINE_STATES}. */
export type EngineState = (typeof ENGINE_STATES)[number];

/** Something the user should know about and the engine cannot fix alone. */
export interface EngineProblem {
  /** Snake_case, from the reporting subsystem (`not_portable`, `unreadable`, `quota_exceeded`…). */
  readonly code: string;
  /** A human sentence; never file contents, keys or tokens. */
  readonly message: string;
  /** The `/`-rooted path it concerns, when it concerns one. */
  readonly path?: string;
  /** When it was first seen, epoch milliseconds. */
  readonly sinceMs: number;
}

/** Transfer counters. Byte counts are bytes; rates are bytes per second, averaged recently. */
export interface EngineProgress {
  /** Files (and folder operations) still to sync. */
  readonly filesPending: number;
  /** Bytes still to upload or download. */
  readonly bytesPending: number;
  /** Files synced since the engine started. */
  readonly filesDone: number;
  /** Bytes sent to the server since the engine started. */
  readonly bytesUp: number;
  /** Bytes received from the server since the engine started. */
  readonly bytesDown: number;
  readonly upBytesPerSecond: number;
  readonly downBytesPerSecond: number;
}

/** The account's storage, as the server last reported it. */
export interface AccountUsage {
  readonly usedBytes: number;
  readonly quotaBytes: number;
}

/** A snapshot of the engine for a status view. */
export interface EngineStatus {
  readonly state: EngineState;
  /** A human sentence about the state (why offline, why held, what failed). */
  readonly message?: string;
  /** The synced folder's absolute local path. */
  readonly folder: string;
  readonly serverUrl: string;
  /** The signed-in user's email. */
  readonly email: string;
  readonly deviceName: string;
  /** True while the user has paused syncing (the state may still be `offline`, `error`…). */
  readonly paused: boolean;
  /** Null until the server has been asked. */
  readonly account: AccountUsage | null;
  readonly progress: EngineProgress;
  /** Current problems, oldest first. */
  readonly problems: readonly EngineProblem[];
  /** Remote deletes held by the mass-delete guard (paths: a sample, not necessarily all). */
  readonly heldDeletes: { readonly count: number; readonly paths: readonly string[] } | null;
  /** When both sides last agreed, epoch milliseconds; null before the first time. */
  readonly lastSyncedMs: number | null;
}

/**
 * How to resolve a conflict (SPEC "Conflicts"): `mine` keeps the local copy's content at the
 * path, `theirs` keeps the server's version and drops the conflicted copy, `both` keeps both
 * files as they are and only clears the record.
 */
export const CONFLICT_KEEP = ['mine', 'theirs', 'both'] as const;

/** One of {@link CONFLICT_KEEP}. */
export type ConflictKeep = (typeof CONFLICT_KEEP)[number];

/** A conflict recorded in the engine's state until it is resolved. */
export interface ConflictInfo {
  readonly id: number;
  /** The `/`-rooted path where the server's version stays. */
  readonly path: string;
  /** Where the local version was saved (`name (conflicted copy from …).ext`); null if nowhere. */
  readonly copyPath: string | null;
  /** Why it happened (`edit_edit`, `edit_delete`, `rename_rename`…). */
  readonly reason: string;
  /** When it was detected, epoch milliseconds. */
  readonly detectedMs: number;
}

/** A file or folder in the server's view of the account (the file browser's rows). */
export interface FolderEntry {
  /** `/`-rooted, NFC. */
  readonly path: string;
  readonly name: string;
  readonly type: 'file' | 'folder';
  /** Files only, else null. */
  readonly sizeBytes: number | null;
  /** Files only: the modification time the uploading device reported; else null. */
  readonly modifiedMs: number | null;
  /** A folder where a share is mounted: the user's role in it; else null. */
  readonly sharedRole: ShareRole | null;
}

/** One version of a file, as the history browser lists it (newest first). */
export interface FileRevision {
  readonly rev: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** When the server committed it. */
  readonly committedMs: number;
  /** The author's display name. */
  readonly author: string;
  readonly deviceName: string | null;
  /** True when it belongs to a file deleted at this path (not the one living there now). */
  readonly ofDeletedFile: boolean;
}

/** A role in a shared folder: `viewer` reads, `editor` also writes. */
export type ShareRole = 'viewer' | 'editor';

/** The roles, for validation and menus. */
export const SHARE_ROLES = ['viewer', 'editor'] as const satisfies readonly ShareRole[];

/** A shared folder, as its owner or a recipient sees it. */
export interface ShareInfo {
  readonly id: string;
  readonly role: ShareRole;
  readonly ownerEmail: string;
  readonly recipientEmail: string;
  /** Where the folder is in the user's own view (owner: where it lives; recipient: the mount). */
  readonly path: string;
  readonly createdMs: number;
}

/** The user's shares: those they own (one per recipient) and those they received. */
export interface ShareList {
  readonly owned: readonly ShareInfo[];
  readonly received: readonly ShareInfo[];
}

/** One side of a conflict, as it is on disk now. */
export interface VersionSide {
  /** Where that version is (`/`-rooted). */
  readonly path: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** Who committed it (theirs: from the server's newest revision); null when unknown. */
  readonly author: string | null;
  /** The device it came from; null when unknown. */
  readonly deviceName: string | null;
}

/** Both versions of a conflict, for a side-by-side. */
export interface ConflictVersions {
  readonly conflict: ConflictInfo;
  /** The version at the path (the server's); null when nothing is there any more. */
  readonly theirs: VersionSide | null;
  /** This device's version, in the conflicted copy; null when the copy is gone. */
  readonly mine: VersionSide | null;
}

/** What an executor finished. */
export type SyncAction =
  | 'upload'
  | 'download'
  | 'delete_local'
  | 'delete_remote'
  | 'move_local'
  | 'move_remote'
  | 'mkdir_local'
  | 'mkdir_remote';

/** Something that happened in the engine, discriminated on `type`. */
export type EngineEvent =
  | { readonly type: 'state'; readonly state: EngineState; readonly message?: string }
  | { readonly type: 'progress'; readonly progress: EngineProgress }
  | {
      readonly type: 'synced';
      readonly action: SyncAction;
      readonly path: string;
      /** For moves, the old path. */
      readonly fromPath?: string;
      readonly sizeBytes?: number;
    }
  | { readonly type: 'conflict'; readonly conflict: ConflictInfo }
  | { readonly type: 'resolved'; readonly conflict: ConflictInfo; readonly keep: ConflictKeep }
  | { readonly type: 'problem'; readonly problem: EngineProblem }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

/** The `type` of an {@link EngineEvent}. */
export type EngineEventType = EngineEvent['type'];

/** An event with its position in the engine's event log. */
export interface SequencedEvent {
  /** 1, 2, 3… in publication order, without gaps, for one run of the engine. */
  readonly seq: number;
  /** When it was published, epoch milliseconds. */
  readonly timeMs: number;
  readonly event: EngineEvent;
}

/**
 * The answer to a wait for events. Pass `next` back as `after` to read on. Events come oldest
 * first; when the first one's `seq` is above `after + 1`, the log had dropped the ones between
 * (it keeps the most recent only): re-read the status.
 */
export interface EventBatch {
  readonly events: readonly SequencedEvent[];
  readonly next: number;
}

/**
 * What a user can ask a running engine. Every method is async and JSON in, JSON out.
 * Failures are {@link ControlError}s.
 */
export interface EngineControl {
  /** The current status. */
  getStatus(): Promise<EngineStatus>;
  /** Unresolved conflicts, oldest first. */
  listConflicts(): Promise<readonly ConflictInfo[]>;
  /**
   * Resolves the conflict at `path` (NFC, `/`-rooted) as `keep` says and returns the record it
   * cleared. Throws `conflict_not_found` when no conflict is recorded at `path`.
   */
  resolveConflict(path: string, keep: ConflictKeep): Promise<ConflictInfo>;
  /**
   * Both versions of the conflict at `path` (size, time, device), for a side-by-side.
   * Throws `conflict_not_found` when no conflict is recorded at `path`.
   */
  describeConflict(path: string): Promise<ConflictVersions>;
  /** Stops starting transfers (those under way finish or stop cleanly); idempotent. */
  pause(): Promise<EngineStatus>;
  /** Undoes {@link pause}; idempotent. */
  resume(): Promise<EngineStatus>;
  /** Lets the held mass delete go ahead. Throws `nothing_held` when none is held. */
  allowMassDelete(): Promise<EngineStatus>;
  /** The account's activity feed from the server (see protocol GET /activity). */
  listActivity(request: ListActivityRequest): Promise<ActivityResponse>;
  /**
   * Long-poll on the event log: resolves at once when events with `seq > after` exist, else
   * when one is published or after `timeoutMs` (an empty batch), or when `signal` aborts (an
   * empty batch). `after = 0` reads from the oldest event kept.
   */
  waitForEvents(after: number, timeoutMs: number, signal?: AbortSignal): Promise<EventBatch>;
  /**
   * The entries directly in the folder `path` on the server, folders first, then by name.
   * Throws `path_not_found` when there is no folder there, `offline` when unreachable.
   */
  listFolder(path: string): Promise<readonly FolderEntry[]>;
  /** Every revision of the files that have lived at `path`, newest first. */
  listRevisions(path: string): Promise<readonly FileRevision[]>;
  /**
   * Makes revision `rev` the newest version at `path` on the server (the engine then brings it
   * into the folder) and returns that new revision's `rev`. Throws `path_not_found` for an
   * unknown revision, `forbidden` in a folder the user may only view.
   */
  restoreRevision(path: string, rev: string): Promise<{ readonly rev: string }>;
  /** The user's shares. */
  listShares(): Promise<ShareList>;
  /**
   * Shares the folder `path` with the account `email`. Throws `server_refused` (with the
   * server's reason: no such account, a file, already shared…) or `forbidden`.
   */
  shareFolder(path: string, email: string, role: ShareRole): Promise<ShareInfo>;
  /** Changes a recipient's role in a share the user owns. */
  changeShareRole(shareId: string, role: ShareRole): Promise<ShareInfo>;
  /** Ends a share: the owner revokes a recipient, or a recipient leaves. */
  revokeShare(shareId: string): Promise<{ readonly id: string }>;
  /**
   * Copies `content` into the synced folder at `path` (missing folders are made), under a free
   * name when something is there already (`name (2).ext`), and syncs it at once: files dropped
   * on the window. The one method whose argument is not JSON: the bytes travel as the body.
   */
  importFile(path: string, content: ImportContent): Promise<ImportedFile>;
  /**
   * A one-time address (`/api/downloads/<ticket>`, good for a minute) where the folder `path`
   * downloads as one zip, for a browser to follow without the token. Throws `path_not_found`
   * or `server_refused` (a file) before any address is made.
   */
  createZipDownload(path: string): Promise<{ readonly url: string }>;
  /** The current settings. */
  getSettings(): Promise<EngineSettings>;
  /**
   * Changes the settings named in `change` (the others stay): limits apply to the next block
   * sent or received and are kept for the next start; new ignore patterns are written to the
   * folder's `.ferryignore` and the folder is scanned again; excluded folders are kept for the
   * next start and applied from the next round.
   */
  updateSettings(change: Partial<EngineSettings>): Promise<EngineSettings>;
  /**
   * Signs this device in (or creates the account first) when it has none yet, then starts
   * syncing: the window's first-run flow. Answered only by a `ferry sync --ui-port` started on
   * a home without a device; every other method throws `not_signed_in` until it succeeds.
   * Throws `already_signed_in` once a device is signed in, `server_refused` with the server's
   * reason (wrong password, email taken), `offline` when the server cannot be reached.
   */
  completeFirstRun(request: FirstRunRequest): Promise<EngineStatus>;
}

/** The first-run form: sign in to an account, or create it and sign in. */
export interface FirstRunRequest {
  readonly mode: 'signin' | 'signup';
  /** `http(s)://host[:port]`, no path. */
  readonly serverUrl: string;
  readonly email: string;
  readonly password: string;
  /** The display name of a new account (`signup` only). */
  readonly name?: string;
  /** This device's name; the host name when absent. */
  readonly deviceName?: string;
  /** The folder to sync, absolute; `~/Ferry` when absent. */
  readonly folder?: string;
}

/** What the user can change of a running engine (the Settings screen). */
export interface EngineSettings {
  /** Upload limit, bytes per second; null for none. */
  readonly limitUpBytesPerSecond: number | null;
  /** Download limit, bytes per second; null for none. */
  readonly limitDownBytesPerSecond: number | null;
  /** The text of the folder's `.ferryignore` (gitignore syntax); `''` when there is none. */
  readonly ignorePatterns: string;
  /**
   * Top-level folders not synced on this device (selective sync), by name: their local copies
   * are removed (what is not synced yet stays) and nothing in them is downloaded; they stay on
   * the server and the other devices. Including one again downloads it.
   */
  readonly excludedFolders: readonly string[];
  /**
   * Whether Ferry starts when the user logs in: answered and changed by the desktop app, which
   * owns the login item; absent where nothing can start Ferry at login (the browser UI).
   */
  readonly startAtLogin?: boolean;
}

/** Lowest and highest bandwidth limit accepted, bytes per second. */
export const BANDWIDTH_LIMIT_RANGE = { min: 1000, max: 10_000_000_000 } as const;
/** Longest `.ferryignore` accepted through the control API, in characters. */
export const MAX_IGNORE_PATTERNS_CHARS = 32 * 1024;
/** Most top-level folders one device can leave out. */
export const MAX_EXCLUDED_FOLDERS = 1000;

/** A file's bytes as a bridge carries them: a Blob from the browser, a stream in the engine. */
export type ImportContent = Blob | AsyncIterable<Uint8Array>;

/** Where an imported file went. */
export interface ImportedFile {
  /** The path it got (another than asked when the name was taken). */
  readonly path: string;
  readonly sizeBytes: number;
}

/** The arguments of {@link EngineControl.restoreRevision}. */
export interface RestoreRevisionRequest {
  readonly path: string;
  readonly rev: string;
}

/** The arguments of {@link EngineControl.shareFolder}. */
export interface ShareFolderRequest {
  readonly path: string;
  readonly email: string;
  readonly role: ShareRole;
}

/** The arguments of {@link EngineControl.changeShareRole}. */
export interface ChangeShareRoleRequest {
  readonly shareId: string;
  readonly role: ShareRole;
}

/** The arguments of {@link EngineControl.resolveConflict}, as the HTTP body carries them. */
export interface ResolveConflictRequest {
  readonly path: string;
  readonly keep: ConflictKeep;
}

/** The arguments of {@link EngineControl.listActivity}. */
export interface ListActivityRequest {
  readonly cursor?: string;
  /** 1 … MAX_ACTIVITY_LIMIT of the protocol. */
  readonly limit?: number;
}

/** The arguments of {@link EngineControl.waitForEvents} as the HTTP query carries them. */
export interface WaitForEventsRequest {
  readonly after: number;
  /** Whole seconds, 0 … {@link MAX_EVENTS_TIMEOUT_S}. */
  readonly timeoutSeconds: number;
}

/** Longest long-poll on GET /api/events, in seconds. */
export const MAX_EVENTS_TIMEOUT_S = 60;
/** The long-poll's length when GET /api/events names no `timeout`, in seconds. */
export const DEFAULT_EVENTS_TIMEOUT_S = 30;
/** Largest request body the control API reads, in bytes. */
export const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/** One HTTP route of the control API, and where its arguments travel. */
export interface ControlRoute {
  readonly method: 'GET' | 'POST';
  readonly path: `/api/${string}`;
  /**
   * `none`: no arguments; `query`: in the query string; `body`: a JSON object body; `file`:
   * the query string, and a file's bytes as an `application/octet-stream` body.
   */
  readonly input: 'none' | 'query' | 'body' | 'file';
}

/**
 * The HTTP route of every {@link EngineControl} method: the server and the browser bridge both
 * read this table, so no path is written twice. A method without a route fails to compile.
 *
 * Query and body fields: `resolveConflict` `{ path, keep }`; `listActivity` `?cursor=&limit=`;
 * `waitForEvents` `?after=N&timeout=S` (S in seconds, 0 … 60, default 30); `listFolder`,
 * `listRevisions` and `describeConflict` `?path=`; `restoreRevision` `{ path, rev }`; `shareFolder`
 * `{ path, email, role }`; `changeShareRole` `{ shareId, role }`; `revokeShare` `{ shareId }`;
 * `importFile` `?path=` with the bytes as the body; `createZipDownload` `{ path }`;
 * `updateSettings` `{ limitUpBytesPerSecond?, limitDownBytesPerSecond?, ignorePatterns?,
 * excludedFolders?, startAtLogin? }`;
 * `completeFirstRun` a {@link FirstRunRequest}.
 */
export const CONTROL_ROUTES = {
  getStatus: { method: 'GET', path: '/api/status', input: 'none' },
  listConflicts: { method: 'GET', path: '/api/conflicts', input: 'none' },
  resolveConflict: { method: 'POST', path: '/api/conflicts/resolve', input: 'body' },
  describeConflict: { method: 'GET', path: '/api/conflicts/versions', input: 'query' },
  pause: { method: 'POST', path: '/api/pause', input: 'none' },
  resume: { method: 'POST', path: '/api/resume', input: 'none' },
  allowMassDelete: { method: 'POST', path: '/api/mass-delete/allow', input: 'none' },
  listActivity: { method: 'GET', path: '/api/activity', input: 'query' },
  waitForEvents: { method: 'GET', path: '/api/events', input: 'query' },
  listFolder: { method: 'GET', path: '/api/folder', input: 'query' },
  listRevisions: { method: 'GET', path: '/api/revisions', input: 'query' },
  restoreRevision: { method: 'POST', path: '/api/revisions/restore', input: 'body' },
  listShares: { method: 'GET', path: '/api/shares', input: 'none' },
  shareFolder: { method: 'POST', path: '/api/shares', input: 'body' },
  changeShareRole: { method: 'POST', path: '/api/shares/role', input: 'body' },
  revokeShare: { method: 'POST', path: '/api/shares/revoke', input: 'body' },
  importFile: { method: 'POST', path: '/api/import', input: 'file' },
  createZipDownload: { method: 'POST', path: '/api/downloads', input: 'body' },
  getSettings: { method: 'GET', path: '/api/settings', input: 'none' },
  updateSettings: { method: 'POST', path: '/api/settings', input: 'body' },
  completeFirstRun: { method: 'POST', path: '/api/first-run', input: 'body' },
} as const satisfies { readonly [M in keyof EngineControl]: ControlRoute };

/** The name of an {@link EngineControl} method. */
export type ControlMethod = keyof typeof CONTROL_ROUTES;

/**
 * Every code a {@link ControlError} can carry:
 * - `unauthorized`: no or a wrong access token; `forbidden_origin`: sent by another site's page;
 * - `invalid_request`: a malformed query or body (the message names the field), a bad Host;
 * - `not_found`: no such route; `conflict_not_found`: no conflict recorded at that path;
 * - `nothing_held`: no mass delete is held; `engine_stopped`: the engine has shut down;
 * - `path_not_found`: no such file, folder, revision or share on the server; `forbidden`: the
 *   server refused (a viewer writing, not the owner); `server_refused`: the server refused for
 *   another reason, given in the message; `offline`: the server cannot be reached;
 * - `not_signed_in`: this device has no account yet (the first-run flow is due);
 *   `already_signed_in`: a first run was asked of a device that has one;
 * - `internal_error`: an unexpected failure (details stay in the engine's log).
 */
export const CONTROL_ERROR_CODES = [
  'unauthorized',
  'forbidden_origin',
  'invalid_request',
  'not_found',
  'conflict_not_found',
  'nothing_held',
  'engine_stopped',
  'path_not_found',
  'forbidden',
  'server_refused',
  'offline',
  'not_signed_in',
  'already_signed_in',
  'internal_error',
] as const;

/** One of {@link CONTROL_ERROR_CODES}. */
export type ControlErrorCode = (typeof CONTROL_ERROR_CODES)[number];

/** The HTTP status the control API answers each code with (declared once, here). */
export const CONTROL_ERROR_STATUS = {
  unauthorized: 401,
  forbidden_origin: 403,
  invalid_request: 400,
  not_found: 404,
  conflict_not_found: 404,
  nothing_held: 409,
  engine_stopped: 503,
  path_not_found: 404,
  forbidden: 403,
  server_refused: 409,
  offline: 503,
  not_signed_in: 409,
  already_signed_in: 409,
  internal_error: 500,
} as const satisfies { readonly [C in ControlErrorCode]: number };

/** The body of every error answer of the control API. */
export interface ControlErrorBody {
  readonly error: { readonly code: ControlErrorCode; readonly message: string };
}

/** True when `value` is one of the {@link CONTROL_ERROR_CODES}. */
export function isControlErrorCode(value: unknown): value is ControlErrorCode {
  return typeof value === 'string' && (CONTROL_ERROR_CODES as readonly string[]).includes(value);
}

/** Options of a {@link ControlError}. */
export interface ControlErrorOptions {
  readonly cause?: unknown;
  /** The HTTP status; defaults to the code's in {@link CONTROL_ERROR_STATUS}. */
  readonly status?: number;
}

/**
 * A failure of a control request, with a code from a closed set. Thrown by `EngineControl`
 * implementations (the engine, the bridges rebuilding an error answer) and by the HTTP server's
 * validation. Messages never carry file contents, keys or tokens.
 */
export class ControlError extends Error {
  readonly code: ControlErrorCode;
  /** The HTTP status this error is (or was) answered with. */
  readonly status: number;

  constructor(code: ControlErrorCode, message: string, options: ControlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ControlError';
    this.code = code;
    this.status = options.status ?? CONTROL_ERROR_STATUS[code];
  }
}
