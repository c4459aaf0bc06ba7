/**
 * `ferry login --server URL --email E [--device NAME] [--home DIR] [--json]`: signs this device
 * in (a new device session with its own token) and writes device.json in the home. The
 * password comes from FERRY_PASSWORD or a prompt without echo on a terminal.
 */
import type { Command } from 'commander';
import {
  addCommonOptions,
  homeOf,
  printResult,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseEmail, parseServerUrl } from './flag-parsers.js';
import { readPassword } from './password-source.js';
import {
  addDeviceOption,
  describeSignIn,
  deviceNameOf,
  ensureSignedOut,
  signInDevice,
} from './sign-in.js';

interface LoginFlags extends CommonFlags {
  readonly server: string;
  readonly email: string;
  readonly device?: string;
}

export function registerLoginCommand(program: Command, io: CliIo): void {
  const command = program
    .command('login')
    .description('sign this device in to a Ferry server (password: FERRY_PASSWORD or a prompt)')
    .requiredOption('--server <url>', 'the server, e.g. http://127.0.0.1:8787', parseServerUrl)
    .requiredOption('--email <email>', "your account's email address", parseEmail);
  addDeviceOption(command);
  addCommonOptions(
    command,
    '{"serverUrl","email","userId","rootNamespace","deviceId","deviceName","home"}',
  );
  command.action(async (flags: LoginFlags) => {
    const home = homeOf(io, flags);
    await ensureSignedOut(home);
    const password = await readPassword(io, { isNew: false });
    const config = await signInDevice({
      home,
      serverUrl: flags.server,
      email: flags.email,
      password,
      deviceName: deviceNameOf(flags.device),
    });
    const { json, text } = describeSignIn(config, home);
    printResult(io, flags, json, text);
  });
}
