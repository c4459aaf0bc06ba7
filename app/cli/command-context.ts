/**
 * What the account and server-side commands share: the process's streams and environment (as
 * one object, so tests run the CLI in-process), the `--home` and `--json` flags, the signed-in
 * device, a remote client that is always closed, and printing one result as text or JSON.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { createRemoteClient, type RemoteClient } from 'sync-engine';
import { readDeviceConfig, resolveHome, type DeviceConfig } from '../config/device-home.js';
import { CommandFailure } from './cli-errors.js';
import { parseNonEmpty } from './flag-parsers.js';

/** The process as a command sees it. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** `isTTY` decides whether a password may be prompted for. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths (`--home`, PATH arguments) resolve against this. */
  readonly cwd: string;
}

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Flags every command here takes. */
export interface CommonFlags {
  readonly home?: string;
  readonly json?: boolean;
}

/** Adds `--home DIR` and `--json` (described by `jsonShape`) to `command`. */
export function addCommonOptions(command: Command, jsonShape: string): Command {
  return command
    .option(
      '--home <dir>',
      "the device's home: config, token and state (default: FERRY_HOME, else the user data dir)",
      parseNonEmpty,
    )
    .option('--json', `print one JSON object: ${jsonShape}`);
}

/** The home directory `flags` and the environment select, absolute. */
export function homeOf(io: CliIo, flags: CommonFlags): string {
  return resolveHome(
    flags.home === undefined ? undefined : path.resolve(io.cwd, flags.home),
    io.env,
  );
}

/** A home with a signed-in device. */
export interface SignedInDevice {
  readonly home: string;
  readonly config: DeviceConfig;
}

/**
 * The device signed in on the selected home.
 * @throws CommandFailure `not_signed_in` when the home has no device.json.
 */
export async function loadSignedInDevice(io: CliIo, flags: CommonFlags): Promise<SignedInDevice> {
  const home = homeOf(io, flags);
  const config = await readDeviceConfig(home);
  if (config === undefined) {
    throw new CommandFailure(`not signed in (home ${home}): run ferry login`, {
      code: 'not_signed_in',
    });
  }
  return { home, config };
}

/**
 * Runs `call` with a remote client of `serverUrl` (signed in with `token` when given) and
 * closes the client afterwards, whatever happened.
 */
export async function withRemote<T>(
  target: { readonly serverUrl: string; readonly token?: string },
  call: (remote: RemoteClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const remote = createRemoteClient({ baseUrl: target.serverUrl, token: target.token });
  try {
    // Nothing aborts a one-shot command's request: Ctrl-C ends the process.
    return await call(remote, new AbortController().signal);
  } finally {
    remote.close();
  }
}

/**
 * Prints a command's result: with `--json` exactly one JSON object on one line of stdout,
 * otherwise `text` (a trailing newline is added when missing).
 */
export function printResult(io: CliIo, flags: CommonFlags, value: object, text: string): void {
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(value)}\n`);
  } else {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
