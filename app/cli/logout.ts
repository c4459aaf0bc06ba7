/**
 * `ferry logout [--home DIR] [--json]`: signs this device out on the server (its token is
 * refused from then on) and removes device.json. The sync state stays, so signing in again
 * does not download everything anew. A token the server had revoked already (401) is no error;
 * any other failure keeps device.json, so that the logout can be retried and no valid token is
 * forgotten.
 */
import type { Command } from 'commander';
import { RemoteError } from 'sync-engine';
import { removeDeviceConfig } from '../config/device-home.js';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';

export function registerLogoutCommand(program: Command, io: CliIo): void {
  const command = program
    .command('logout')
    .description(
      'sign this device out: revoke its token on the server and forget it (the sync state stays)',
    );
  addCommonOptions(command, '{"serverUrl","email","deviceId","deviceName","home","wasSignedIn"}');
  command.action(async (flags: CommonFlags) => {
    const { home, config } = await loadSignedInDevice(io, flags);
    let wasSignedIn = true;
    try {
      await withRemote(config, (remote, signal) => remote.logout(signal));
    } catch (error) {
      if (!(error instanceof RemoteError && error.code === 'unauthorized')) throw error;
      wasSignedIn = false;
    }
    await removeDeviceConfig(home);
    const { serverUrl, email, deviceId, deviceName } = config;
    const note = wasSignedIn ? '' : ' (the server had signed this device out already)';
    printResult(
      io,
      flags,
      { serverUrl, email, deviceId, deviceName, home, wasSignedIn },
      `Signed out ${email} on ${serverUrl}, device "${deviceName}"${note}.`,
    );
  });
}
