/**
 * `ferry account [--home DIR] [--json]`: the signed-in account (email, name) and its storage
 * use against the quota, as the server counts it.
 */
import type { Command } from 'commander';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { formatBytes } from './human-format.js';

function percentOf(usedBytes: number, quotaBytes: number): string {
  if (quotaBytes <= 0) return '';
  const percent = (usedBytes / quotaBytes) * 100;
  return ` (${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%)`;
}

export function registerAccountCommand(program: Command, io: CliIo): void {
  const command = program
    .command('account')
    .description('show the signed-in account and its storage use and quota');
  addCommonOptions(
    command,
    '{"email","name","userId","rootNamespace","usedBytes","quotaBytes","serverUrl","deviceId","deviceName"}',
  );
  command.action(async (flags: CommonFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const account = await withRemote(config, (remote, signal) => remote.getAccount(signal));
    const { email, name, userId, rootNamespace, usedBytes, quotaBytes } = account;
    const { serverUrl, deviceId, deviceName } = config;
    const text = [
      `${name} <${email}>`,
      `storage: ${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} used${percentOf(usedBytes, quotaBytes)}`,
      `server: ${serverUrl}`,
      `device: ${deviceName}`,
    ].join('\n');
    printResult(
      io,
      flags,
      {
        email,
        name,
        userId,
        rootNamespace,
        usedBytes,
        quotaBytes,
        serverUrl,
        deviceId,
        deviceName,
      },
      text,
    );
  });
}
