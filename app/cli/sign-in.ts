/**
 * Signing a device in, shared by `ferry signup` and `ferry login`: refuse a home that already
 * has a device (its token would stay valid and forgotten), log in, write device.json. If
 * device.json cannot be written, the new session is signed out again so no token is left valid
 * that nobody holds.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { LoginResponse } from 'sync-engine/protocol';
import {
  DEVICE_CONFIG_VERSION,
  readDeviceConfig,
  writeDeviceConfig,
  type DeviceConfig,
} from '../config/device-home.js';
import { CommandFailure } from './cli-errors.js';
import { withRemote } from './command-context.js';
import { parseName } from './flag-parsers.js';

/** Adds `--device NAME` to `command`. */
export function addDeviceOption(command: Command): Command {
  return command.option(
    '--device <name>',
    "this device's name in history and activity (default: the host name)",
    parseName,
  );
}

/** The device name to log in with: `--device`, else the host name (cut to the server's limit). */
export function deviceNameOf(flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const host = hostname().trim();
  return host === '' ? 'ferry-device' : host.slice(0, 200);
}

/**
 * Fails when `home` has a signed-in device already. Called before anything is sent.
 * @throws CommandFailure `already_signed_in`.
 */
export async function ensureSignedOut(home: string): Promise<void> {
  const existing = await readDeviceConfig(home);
  if (existing !== undefined) {
    throw new CommandFailure(
      `already signed in as ${existing.email} on ${existing.serverUrl} (home ${home}): run ferry logout first, or use another --home`,
      { code: 'already_signed_in' },
    );
  }
}

export interface SignInRequest {
  readonly home: string;
  readonly serverUrl: string;
  readonly email: string;
  readonly password: string;
  readonly deviceName: string;
}

/** Logs this device in and writes its device.json; the synced folder is not set yet. */
export async function signInDevice(request: SignInRequest): Promise<DeviceConfig> {
  const { home, serverUrl, email, password, deviceName } = request;
  const session: LoginResponse = await withRemote({ serverUrl }, (remote, signal) =>
    remote.login({ email, password, deviceName }, signal),
  );
  const config: DeviceConfig = {
    version: DEVICE_CONFIG_VERSION,
    serverUrl,
    email,
    userId: session.userId,
    rootNamespace: session.rootNamespace,
    deviceId: session.deviceId,
    deviceName,
    token: session.token,
    folder: null,
  };
  try {
    await writeDeviceConfig(home, config);
  } catch (error) {
    // Best effort: the error that matters is the one about the file, thrown below.
    await withRemote({ serverUrl, token: session.token }, (remote, signal) =>
      remote.logout(signal),
    ).catch(() => undefined);
    throw new CommandFailure(`cannot save the device in ${home}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return config;
}

/** The JSON and text a successful signup or login prints (never the token). */
export function describeSignIn(
  config: DeviceConfig,
  home: string,
): { json: Record<string, unknown>; text: string } {
  const { serverUrl, email, userId, rootNamespace, deviceId, deviceName } = config;
  return {
    json: { serverUrl, email, userId, rootNamespace, deviceId, deviceName, home },
    text: `Signed in as ${email} on ${serverUrl}, device "${deviceName}" (home ${home}).\n`,
  };
}
