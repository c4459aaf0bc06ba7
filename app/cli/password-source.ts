/**
 * Where `ferry signup` and `ferry login` get the password: FERRY_PASSWORD (for scripts), else
 * a prompt without echo on a terminal, else nothing (a usage error: a script must not hang
 * waiting for input that never comes). The prompt writes to stderr so that `--json` output on
 * stdout stays one JSON object.
 */
import password from '@inquirer/password';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from 'sync-engine/protocol';
import { UsageError } from './cli-errors.js';
import type { CliIo } from './command-context.js';

export interface PasswordRequest {
  /** signup: ask twice on a terminal, and check the server's length rule before sending. */
  readonly isNew: boolean;
}

async function prompt(io: CliIo, message: string): Promise<string> {
  try {
    return await password({ message }, { input: io.stdin, output: io.stderr });
  } catch (error) {
    // Ctrl-C or Ctrl-D at the prompt.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new UsageError('no password: the prompt was cancelled', { cause: error });
    }
    throw error;
  }
}

function checkNewPassword(value: string): void {
  if (value.length < MIN_PASSWORD_LENGTH || value.length > MAX_PASSWORD_LENGTH) {
    throw new UsageError(
      `the password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
}

/**
 * The password for a login or a new account.
 * @throws UsageError when there is no password source, the two entries differ, or (new
 *   accounts) the password is too short or too long.
 */
export async function readPassword(io: CliIo, request: PasswordRequest): Promise<string> {
  const fromEnv = io.env.FERRY_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (request.isNew) checkNewPassword(fromEnv);
    return fromEnv;
  }
  if (io.stdin.isTTY !== true) {
    throw new UsageError('no password: set FERRY_PASSWORD or run on a terminal');
  }
  const first = await prompt(io, request.isNew ? 'New password:' : 'Password:');
  if (first === '') throw new UsageError('no password given');
  if (request.isNew) {
    checkNewPassword(first);
    const second = await prompt(io, 'Repeat the password:');
    if (second !== first) throw new UsageError('the passwords do not match');
  }
  return first;
}
