/**
 * `ferry signup --server URL --email E --name N [--device NAME] [--home DIR] [--json]`: creates
 * an account on the server, then signs this device in as `ferry login` does. The password comes
 * from FERRY_PASSWORD or a prompt (asked twice) on a terminal.
 */
import type { Command } from 'commander';
import {
  addCommonOptions,
  homeOf,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseEmail, parseName, parseServerUrl } from './flag-parsers.js';
import { readPassword } from './password-source.js';
import {
  addDeviceOption,
  describeSignIn,
  deviceNameOf,
  ensureSignedOut,
  signInDevice,
} from './sign-in.js';

interface SignupFlags extends CommonFlags {
  readonly server: string;
  readonly email: string;
  readonly name: string;
  readonly device?: string;
}

export function registerSignupCommand(program: Command, io: CliIo): void {
  const command = program
    .command('signup')
    .description(
      'create an account on a Ferry server and sign this device in (password: FERRY_PASSWORD or a prompt)',
    )
    .requiredOption('--server <url>', 'the server, e.g. http://127.0.0.1:8787', parseServerUrl)
    .requiredOption('--email <email>', "the new account's email address", parseEmail)
    .requiredOption('--name <name>', 'your name, shown to the people you share with', parseName);
  addDeviceOption(command);
  addCommonOptions(
    command,
    '{"serverUrl","email","name","userId","rootNamespace","deviceId","deviceName","home"}',
  );
  command.action(async (flags: SignupFlags) => {
    const home = homeOf(io, flags);
    await ensureSignedOut(home);
    const password = await readPassword(io, { isNew: true });
    const { server: serverUrl, email, name } = flags;
    await withRemote({ serverUrl }, (remote, signal) =>
      remote.register({ email, password, name }, signal),
    );
    const config = await signInDevice({
      home,
      serverUrl,
      email,
      password,
      deviceName: deviceNameOf(flags.device),
    });
    const { json, text } = describeSignIn(config, home);
    printResult(io, flags, { ...json, name }, `Created the account ${email} (${name}).\n${text}`);
  });
}
