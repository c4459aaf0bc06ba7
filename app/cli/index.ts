/**
 * The `ferry` command line: one file per command, wired here. Imports only the public entries of
 * sync-engine and server-mock; nothing imports this folder.
 */
import { Command, CommanderError } from 'commander';
import { registerInspectCommand } from './inspect.js';
import { registerServerCommand } from './server.js';

/** Conventional exit codes: 0 success, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Builds the program with every command registered. */
export function createProgram(): Command {
  const program = new Command('ferry')
    .description('Ferry keeps a folder in sync across devices and people.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerInspectCommand(program);
  registerServerCommand(program);
  return program;
}

/** Runs the CLI on `argv` (as in process.argv) and resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version also arrive here, with exit code 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`ferry: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
