/**
 * Strict checks of the arguments a control request carries (query strings and JSON bodies), one
 * function per route input. Unknown fields, repeated query parameters, wrong types and values
 * out of range are refused with `invalid_request` and a message that names the field; nothing
 * is coerced silently. Pure, so that the Electron main process can check IPC payloads with the
 * same functions.
 */
import { MAX_ACTIVITY_LIMIT, parsePath } from '../protocol/index.js';
import {
  CONFLICT_KEEP,
  ControlError,
  DEFAULT_EVENTS_TIMEOUT_S,
  MAX_EVENTS_TIMEOUT_S,
  SHARE_ROLES,
  BANDWIDTH_LIMIT_RANGE,
  MAX_EXCLUDED_FOLDERS,
  MAX_IGNORE_PATTERNS_CHARS,
  type EngineSettings,
  type FirstRunRequest,
  type ChangeShareRoleRequest,
  type ConflictKeep,
  type ImportContent,
  type RestoreRevisionRequest,
  type ShareFolderRequest,
  type ShareRole,
  type ListActivityRequest,
  type ResolveConflictRequest,
  type WaitForEventsRequest,
} from './contract.js';

/** A parsed query string: a repeated parameter arrives as an array (and is refused). */
export type QueryFields = Readonly<Record<string, string | readonly string[]>>;

/** Longest activity cursor accepted; the server's are far shorter. */
const MAX_CURSOR_CHARS = 1024;
/** Revisions and share ids are the server's opaque tokens: short and URL-safe. */
const OPAQUE_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
/** An address as the server's signup takes it: something@something, no spaces or controls. */
const EMAIL_PATTERN = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]{1,189}$/u;
/** A non-negative decimal integer without sign, leading zeros, fraction or exponent. */
const DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

function refuse(message: string): never {
  throw new ControlError('invalid_request', message);
}

function refuseUnknown(fields: object, allowed: readonly string[], where: string): void {
  for (const name of Object.keys(fields)) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0 ? 'none' : allowed.join(', ');
      refuse(`${where} field "${name}" is not known (expected: ${expected})`);
    }
  }
}

/** The single value of query parameter `name`, undefined when absent. */
function queryValue(query: QueryFields, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value;
  return refuse(`query parameter "${name}" is repeated; send it once`);
}

/** A non-negative safe integer from a query string; `what` completes "… must be …". */
function queryInteger(query: QueryFields, name: string, what: string): number | undefined {
  const text = queryValue(query, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!DECIMAL_PATTERN.test(text) || !Number.isSafeInteger(value)) {
    return refuse(`${name} must be ${what}, got "${text.slice(0, 40)}"`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For routes without arguments: no query parameter at all. */
export function validateNoQuery(query: QueryFields): void {
  refuseUnknown(query, [], 'query');
}

/** For routes without arguments: no body, or an empty JSON object. */
export function validateNoBody(body: unknown): void {
  if (body === undefined) return;
  if (!isPlainObject(body)) refuse('body must be absent or an empty JSON object');
  refuseUnknown(body, [], 'body');
}

/** POST /api/conflicts/resolve: `{ path, keep }`; `path` comes back NFC-normalised. */
export function validateResolveConflictBody(body: unknown): ResolveConflictRequest {
  if (!isPlainObject(body)) return refuse('body must be a JSON object { "path", "keep" }');
  refuseUnknown(body, ['path', 'keep'], 'body');
  const { path, keep } = body;
  if (path === undefined) refuse('path is required');
  const parsed = parsePath(path);
  if (!parsed.ok) return refuse(parsed.message);
  if (parsed.path === '/') refuse('path must name a file or folder, not /');
  if (keep === undefined) refuse('keep is required');
  if (typeof keep !== 'string' || !(CONFLICT_KEEP as readonly string[]).includes(keep)) {
    return refuse(`keep must be one of ${CONFLICT_KEEP.join(', ')}`);
  }
  return { path: parsed.path, keep: keep as ConflictKeep };
}

/** GET /api/activity: optional `cursor` (opaque, non-empty) and `limit` (1 … 1000). */
export function validateListActivityQuery(query: QueryFields): ListActivityRequest {
  refuseUnknown(query, ['cursor', 'limit'], 'query');
  const cursor = queryValue(query, 'cursor');
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS)) {
    refuse(`cursor must be a non-empty string of at most ${MAX_CURSOR_CHARS} characters`);
  }
  const what = `an integer from 1 to ${MAX_ACTIVITY_LIMIT}`;
  const limit = queryInteger(query, 'limit', what);
  if (limit !== undefined && (limit < 1 || limit > MAX_ACTIVITY_LIMIT)) {
    refuse(`limit must be ${what}, got ${limit}`);
  }
  return {
    ...(cursor === undefined ? {} : { cursor }),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** GET /api/events: `after` (required, integer ≥ 0) and `timeout` (seconds, 0 … 60). */
export function validateWaitForEventsQuery(query: QueryFields): WaitForEventsRequest {
  refuseUnknown(query, ['after', 'timeout'], 'query');
  const after = queryInteger(query, 'after', 'a non-negative integer');
  if (after === undefined) return refuse('after is required (0 reads from the oldest event)');
  const what = `a whole number of seconds from 0 to ${MAX_EVENTS_TIMEOUT_S}`;
  const timeoutSeconds = queryInteger(query, 'timeout', what) ?? DEFAULT_EVENTS_TIMEOUT_S;
  if (timeoutSeconds > MAX_EVENTS_TIMEOUT_S)
    refuse(`timeout must be ${what}, got ${timeoutSeconds}`);
  return { after, timeoutSeconds };
}

/** A path from a query or body field: NFC, `/`-rooted; `/` only where `rootAllowed`. */
function checkedPath(value: unknown, rootAllowed: boolean): string {
  if (value === undefined) return refuse('path is required');
  const parsed = parsePath(value);
  if (!parsed.ok) return refuse(parsed.message);
  if (!rootAllowed && parsed.path === '/') refuse('path must name a file or folder, not /');
  return parsed.path;
}

function checkedId(value: unknown, name: string): string {
  if (value === undefined) return refuse(`${name} is required`);
  if (typeof value !== 'string' || !OPAQUE_ID_PATTERN.test(value)) {
    return refuse(`${name} must be 1 to 128 URL-safe characters`);
  }
  return value;
}

function checkedRole(value: unknown): ShareRole {
  if (value === undefined) return refuse('role is required');
  if (typeof value !== 'string' || !(SHARE_ROLES as readonly string[]).includes(value)) {
    return refuse(`role must be one of ${SHARE_ROLES.join(', ')}`);
  }
  return value as ShareRole;
}

function checkedBody(body: unknown, fields: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(body)) {
    return refuse(`body must be a JSON object { ${fields.map((f) => `"${f}"`).join(', ')} }`);
  }
  refuseUnknown(body, fields, 'body');
  return body;
}

/** GET /api/folder: `path` of a folder (`/` for the top). */
export function validateFolderQuery(query: QueryFields): { readonly path: string } {
  refuseUnknown(query, ['path'], 'query');
  return { path: checkedPath(queryValue(query, 'path'), true) };
}

/** GET /api/revisions: `path` of a file. */
export function validateRevisionsQuery(query: QueryFields): { readonly path: string } {
  refuseUnknown(query, ['path'], 'query');
  return { path: checkedPath(queryValue(query, 'path'), false) };
}

/** POST /api/revisions/restore: `{ path, rev }`. */
export function validateRestoreRevisionBody(body: unknown): RestoreRevisionRequest {
  const fields = checkedBody(body, ['path', 'rev']);
  return { path: checkedPath(fields.path, false), rev: checkedId(fields.rev, 'rev') };
}

/** POST /api/shares: `{ path, email, role }`. */
export function validateShareFolderBody(body: unknown): ShareFolderRequest {
  const fields = checkedBody(body, ['path', 'email', 'role']);
  const path = checkedPath(fields.path, false);
  const { email } = fields;
  if (email === undefined) refuse('email is required');
  if (typeof email !== 'string' || !EMAIL_PATTERN.test(email)) {
    return refuse('email must be an address like name@example.com');
  }
  return { path, email, role: checkedRole(fields.role) };
}

/** POST /api/shares/role: `{ shareId, role }`. */
export function validateChangeShareRoleBody(body: unknown): ChangeShareRoleRequest {
  const fields = checkedBody(body, ['shareId', 'role']);
  return { shareId: checkedId(fields.shareId, 'shareId'), role: checkedRole(fields.role) };
}

/** POST /api/shares/revoke: `{ shareId }`. */
export function validateRevokeShareBody(body: unknown): { readonly shareId: string } {
  const fields = checkedBody(body, ['shareId']);
  return { shareId: checkedId(fields.shareId, 'shareId') };
}

/** POST /api/import: `path` of the file to create (its folders are made). */
export function validateImportQuery(query: QueryFields): { readonly path: string } {
  refuseUnknown(query, ['path'], 'query');
  const path = checkedPath(queryValue(query, 'path'), false);
  // Any spelling: on case-insensitive disks `/.FERRY` is the engine's folder too.
  const top = path.split('/')[1]?.toLowerCase();
  if (top === '.ferry') {
    refuse("path must not be in .ferry, the engine's own folder");
  }
  return { path };
}

/** The import's body: a byte stream (`application/octet-stream`). */
export function validateImportContent(body: unknown): ImportContent {
  const isStream =
    typeof body === 'object' && body !== null && Symbol.asyncIterator in (body as object);
  if (!isStream) refuse('the file must be sent as an application/octet-stream body');
  return body as ImportContent;
}

/** POST /api/downloads: `{ path }` of a folder (`/` for everything). */
export function validateZipDownloadBody(body: unknown): { readonly path: string } {
  const fields = checkedBody(body, ['path']);
  return { path: checkedPath(fields.path, true) };
}

/** POST /api/settings: any of the settings; limits an integer in range or null. */
export function validateSettingsBody(body: unknown): Partial<EngineSettings> {
  const fields = checkedBody(body, [
    'limitUpBytesPerSecond',
    'limitDownBytesPerSecond',
    'ignorePatterns',
    'excludedFolders',
    'startAtLogin',
  ]);
  const change: { -readonly [K in keyof EngineSettings]?: EngineSettings[K] } = {};
  for (const name of ['limitUpBytesPerSecond', 'limitDownBytesPerSecond'] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    const { min, max } = BANDWIDTH_LIMIT_RANGE;
    if (
      value !== null &&
      (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    ) {
      refuse(`${name} must be null or an integer from ${min} to ${max} bytes per second`);
    }
    change[name] = value as number | null;
  }
  const { ignorePatterns } = fields;
  if (ignorePatterns !== undefined) {
    if (typeof ignorePatterns !== 'string' || ignorePatterns.length > MAX_IGNORE_PATTERNS_CHARS) {
      refuse(`ignorePatterns must be text of at most ${MAX_IGNORE_PATTERNS_CHARS} characters`);
    }
    if (ignorePatterns.includes('\u0000')) refuse('ignorePatterns must not contain NUL');
    change.ignorePatterns = ignorePatterns;
  }
  if (fields.excludedFolders !== undefined)
    change.excludedFolders = checkedFolderNames(fields.excludedFolders);
  if (fields.startAtLogin !== undefined) {
    if (typeof fields.startAtLogin !== 'boolean') refuse('startAtLogin must be true or false');
    change.startAtLogin = fields.startAtLogin;
  }
  return change;
}

/** Top-level folder names: each one path segment, no duplicates. */
function checkedFolderNames(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_EXCLUDED_FOLDERS)
    refuse(`excludedFolders must be a list of at most ${MAX_EXCLUDED_FOLDERS} folder names`);
  const names = value as unknown[];
  for (const name of names) {
    if (
      typeof name !== 'string' ||
      name === '' ||
      name === '.' ||
      name === '..' ||
      name.length > 255 ||
      name.includes('/') ||
      name.includes('\u0000')
    )
      refuse('excludedFolders must hold top-level folder names (one segment, no "/")');
  }
  return [...new Set(names as string[])];
}

/** POST /api/first-run: the first-run form, every field checked (the server checks the rest). */
export function validateFirstRunBody(body: unknown): FirstRunRequest {
  const fields = checkedBody(body, [
    'mode',
    'serverUrl',
    'email',
    'password',
    'name',
    'deviceName',
    'folder',
  ]);
  const { mode, serverUrl, email, password, name, deviceName, folder } = fields;
  if (mode !== 'signin' && mode !== 'signup') refuse('mode must be signin or signup');
  if (typeof serverUrl !== 'string' || !isServerUrl(serverUrl)) {
    refuse('serverUrl must be an http(s) address such as http://127.0.0.1:8787');
  }
  if (typeof email !== 'string' || !EMAIL_PATTERN.test(email)) {
    refuse('email must be an address like name@example.com');
  }
  if (typeof password !== 'string' || password.length === 0 || password.length > 1024) {
    refuse('password must be 1 to 1024 characters');
  }
  const text = (value: unknown, field: string, max: number): string | undefined => {
    if (value === undefined) return undefined;
    if (
      typeof value !== 'string' ||
      value.trim() === '' ||
      value.length > max ||
      /\p{Cc}/u.test(value)
    ) {
      return refuse(`${field} must be 1 to ${max} characters without control characters`);
    }
    return value.trim();
  };
  if (mode === 'signup' && name === undefined) refuse('name is required to create an account');
  const folderText = text(folder, 'folder', 4096);
  if (
    folderText !== undefined &&
    !folderText.startsWith('/') &&
    !/^[A-Za-z]:[\\/]/.test(folderText)
  ) {
    refuse('folder must be an absolute path');
  }
  const nameText = text(name, 'name', 200);
  const deviceText = text(deviceName, 'deviceName', 200);
  return {
    mode,
    serverUrl: (serverUrl as string).replace(/\/+$/, ''),
    email: email as string,
    password: password as string,
    ...(nameText === undefined ? {} : { name: nameText }),
    ...(deviceText === undefined ? {} : { deviceName: deviceText }),
    ...(folderText === undefined ? {} : { folder: folderText }),
  };
}

function isServerUrl(text: string): boolean {
  if (text.length > 2048) return false;
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname.replace(/\/+$/, '') === '' &&
      url.search === '' &&
      url.hash === '' &&
      url.username === ''
    );
  } catch {
    return false;
  }
}
