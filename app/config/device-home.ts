/**
 * A device's home: the directory holding one signed-in device's configuration, token and sync
 * state, so that several devices can run on one machine (docs/device-home.md). Layout:
 *
 *   <home>/              mode 0700
 *     device.json        mode 0600: server, account, device, token, folder (DeviceConfig)
 *     state.sqlite       the engine's client state (trees, outbox, conflicts)
 *     engine.json        mode 0600: the running `ferry sync` (pid, control API URL and token)
 *
 * The JSON files are written atomically (a temporary file in the home, fsync, rename), so a
 * crash leaves the old file or the new one, never half of one. Imports only the protocol types.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import type { DeviceId, NamespaceId, UserId } from 'sync-engine/protocol';

/** The version of device.json this code reads and writes. */
export const DEVICE_CONFIG_VERSION = 1;

/** device.json: what a signed-in device needs to reach its server. */
export interface DeviceConfig {
  readonly version: typeof DEVICE_CONFIG_VERSION;
  /** The server's base URL, http(s), no trailing slash. */
  readonly serverUrl: string;
  readonly email: string;
  readonly userId: UserId;
  readonly rootNamespace: NamespaceId;
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  /** The device's bearer token: a secret, which is why the file is 0600. */
  readonly token: string;
  /** The synced folder (absolute), remembered by `ferry sync`; null until its first run. */
  readonly folder: string | null;
}

/** engine.json: how to reach the `ferry sync` running on this home. */
export interface RunningEngine {
  readonly pid: number;
  /** The control API's base URL, `http://127.0.0.1:N`. */
  readonly controlUrl: string;
  /** The control API's access token (a secret). */
  readonly controlToken: string;
}

const DEVICE_FILE = 'device.json';
const ENGINE_FILE = 'engine.json';
const STATE_FILE = 'state.sqlite';

/**
 * The home directory to use, absolute: `flag` (`--home DIR`), else `FERRY_HOME` from `env`,
 * else the user's data directory for Ferry (`~/.local/share/ferry` on Linux,
 * `~/Library/Application Support/ferry` on macOS, `%LOCALAPPDATA%\ferry\Data` on Windows).
 * Relative paths resolve against the current directory; empty values count as unset.
 */
export function resolveHome(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  const fromEnv = env.FERRY_HOME;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return envPaths('ferry', { suffix: '' }).data;
}

/** Where the engine's client state lives in `home`. */
export function statePath(home: string): string {
  return path.join(home, STATE_FILE);
}

/** The path of device.json in `home`. */
export function deviceConfigPath(home: string): string {
  return path.join(home, DEVICE_FILE);
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/** The first thing wrong with a device config, or undefined when it has the right shape. */
function deviceConfigProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.version !== DEVICE_CONFIG_VERSION) {
    return `version ${JSON.stringify(value.version)}, this ferry reads version ${DEVICE_CONFIG_VERSION}`;
  }
  if (!isHttpUrl(value.serverUrl)) return 'serverUrl is not an http(s) URL';
  for (const key of ['email', 'userId', 'rootNamespace', 'deviceId', 'deviceName', 'token']) {
    if (!isNonEmptyString(value[key])) return `${key} is not a non-empty string`;
  }
  const folder = value.folder;
  if (folder !== null && !(typeof folder === 'string' && path.isAbsolute(folder))) {
    return 'folder is neither null nor an absolute path';
  }
  return undefined;
}

function deviceConfigOf(value: Fields): DeviceConfig {
  // Only the known fields: a file edited by hand keeps no stray secrets in memory or output.
  return {
    version: DEVICE_CONFIG_VERSION,
    serverUrl: value.serverUrl as string,
    email: value.email as string,
    userId: value.userId as UserId,
    rootNamespace: value.rootNamespace as NamespaceId,
    deviceId: value.deviceId as DeviceId,
    deviceName: value.deviceName as string,
    token: value.token as string,
    folder: value.folder as string | null,
  };
}

/** The parsed JSON of `file`, or undefined when it does not exist. */
async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not ${what}: it is not valid JSON`, { cause: error });
  }
}

/** Creates `home` if needed and makes it private (0700): it holds a token. */
async function ensurePrivateHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for a directory that already existed.
  await chmod(home, 0o700);
}

/**
 * Writes `content` to `file` with mode 0600, atomically: a temporary file beside it (same
 * directory, so the rename stays on one file system), fsync, rename. A failure removes the
 * temporary file and leaves the old `file` as it was.
 */
async function writeFileAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads `<home>/device.json`: undefined when there is none (the device is not signed in).
 * @throws Error naming the file when it is unreadable, not JSON, of another version or of the
 *   wrong shape.
 */
export async function readDeviceConfig(home: string): Promise<DeviceConfig | undefined> {
  const file = deviceConfigPath(home);
  const value = await readJsonFile(file, 'a Ferry device file');
  if (value === undefined) return undefined;
  const problem = deviceConfigProblem(value);
  if (problem !== undefined) {
    throw new Error(`${file} is not a Ferry device file: ${problem}`);
  }
  return deviceConfigOf(value as Fields);
}

/**
 * Writes `<home>/device.json` (mode 0600, atomically), creating the home (mode 0700) if needed.
 * @throws Error when `config` has the wrong shape (nothing is written then).
 */
export async function writeDeviceConfig(home: string, config: DeviceConfig): Promise<void> {
  const problem = deviceConfigProblem(config);
  if (problem !== undefined) throw new Error(`refusing to write a bad device config: ${problem}`);
  await ensurePrivateHome(home);
  const content = `${JSON.stringify(deviceConfigOf({ ...config }), null, 2)}\n`;
  await writeFileAtomically(deviceConfigPath(home), content);
}

/** Removes `<home>/device.json` (signs the device out locally); the state stays. Idempotent. */
export async function removeDeviceConfig(home: string): Promise<void> {
  await rm(deviceConfigPath(home), { force: true });
}

function runningEngineProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) {
    return 'pid is not a positive integer';
  }
  if (!isHttpUrl(value.controlUrl)) return 'controlUrl is not an http(s) URL';
  if (!isNonEmptyString(value.controlToken)) return 'controlToken is not a non-empty string';
  return undefined;
}

/** True when a process with `pid` exists (EPERM: it exists, but belongs to someone else). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `<home>/engine.json` (mode 0600, atomically): called by `ferry sync` once it listens. */
export async function writeEngineFile(home: string, info: RunningEngine): Promise<void> {
  const problem = runningEngineProblem(info);
  if (problem !== undefined) throw new Error(`refusing to write a bad engine file: ${problem}`);
  await ensurePrivateHome(home);
  const { pid, controlUrl, controlToken } = info;
  const content = `${JSON.stringify({ pid, controlUrl, controlToken }, null, 2)}\n`;
  await writeFileAtomically(path.join(home, ENGINE_FILE), content);
}

/**
 * The `ferry sync` running on `home`: undefined when there is no engine.json, or when its
 * process is gone (a crash leaves a stale file; the next `ferry sync` overwrites it).
 * @throws Error naming the file when it is not JSON or of the wrong shape.
 */
export async function readRunningEngine(home: string): Promise<RunningEngine | undefined> {
  const file = path.join(home, ENGINE_FILE);
  const value = await readJsonFile(file, 'a Ferry engine file');
  if (value === undefined) return undefined;
  const problem = runningEngineProblem(value);
  if (problem !== undefined) throw new Error(`${file} is not a Ferry engine file: ${problem}`);
  const { pid, controlUrl, controlToken } = value as unknown as RunningEngine;
  return isProcessAlive(pid) ? { pid, controlUrl, controlToken } : undefined;
}

/** Removes `<home>/engine.json` (`ferry sync` stopping). Idempotent. */
export async function removeEngineFile(home: string): Promise<void> {
  await rm(path.join(home, ENGINE_FILE), { force: true });
}
