/**
 * The `ferry` command line: one file per command, wired here. Imports only the public entries of
 * sync-engine and server-mock; nothing imports this folder.
 */
import { Command, CommanderError } from 'commander';
import { registerAccountCommand } from './account.js';
import { registerActivityCommand } from './activity.js';
import { describeFailure } from './cli-errors.js';
import { processIo, type CliIo } from './command-context.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { registerFoldersCommand } from './folders.js';
import { registerHistoryCommand } from './history.js';
import { registerInspectCommand } from './inspect.js';
import { registerLoginCommand } from './login.js';
import { registerLogoutCommand } from './logout.js';
import { registerRestoreCommand } from './restore.js';
import { registerServerCommand } from './server.js';
import { registerShareCommand } from './share.js';
import { registerSharesCommand } from './shares.js';
import { registerSignupCommand } from './signup.js';
import { registerStartCommand } from './start.js';
import { registerSyncCommand } from './sync.js';
import {
  registerConflictsCommand,
  registerResolveCommand,
  registerStatusCommand,
} from './engine-commands.js';
import { registerUnshareCommand } from './unshare.js';

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export type { CliIo } from './command-context.js';

/** The commands that take the process's streams and environment as a CliIo. */
const IO_COMMANDS = [
  registerSignupCommand,
  registerLoginCommand,
  registerLogoutCommand,
  registerAccountCommand,
  registerHistoryCommand,
  registerRestoreCommand,
  registerShareCommand,
  registerSharesCommand,
  registerUnshareCommand,
  registerActivityCommand,
  registerStartCommand,
  registerSyncCommand,
  registerFoldersCommand,
  registerStatusCommand,
  registerConflictsCommand,
  registerResolveCommand,
];

/** Builds the program with every command registered; its own messages go to `io`. */
export function createProgram(io: CliIo = processIo()): Command {
  const hasColors = (stream: NodeJS.WritableStream) =>
    (stream as { isTTY?: boolean }).isTTY === true && !io.env.NO_COLOR;
  const program = new Command('ferry')
    .description('Ferry keeps a folder in sync across devices and people.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Every error reads `ferry: …`, commander's own parse errors included.
      outputError: (text, write) => write(text.replace(/^error: /, 'ferry: ')),
      getOutHasColors: () => hasColors(io.stdout),
      getErrHasColors: () => hasColors(io.stderr),
    })
    .showHelpAfterError();
  registerInspectCommand(program);
  registerServerCommand(program);
  for (const register of IO_COMMANDS) register(program, io);
  return program;
}

/** Runs the CLI on `argv` (as in process.argv) and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version also arrive here, with exit code 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const { message, exitCode } = describeFailure(error);
    io.stderr.write(`ferry: ${message}\n`);
    return exitCode;
  }
}
