/**
 * `ferry start`: Ferry's main job on embedded defaults, with no prompt. It starts the bundled
 * server in this process (data in the home's `server/`), creates a local account and this
 * device the first time (a generated password, kept 0600 in the home's `start.json`), syncs
 * `~/Ferry` (or `--folder`), serves the control API, and prints where everything is and the
 * exact commands that add a second device. Run again, it reuses all of it. Ctrl-C stops the
 * engine, then the server.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { hostname, homedir, userInfo } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { readDeviceConfig, type DeviceConfig } from '../config/device-home.js';
import { CommandFailure } from './cli-errors.js';
import {
  addCommonOptions,
  homeOf,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseNonEmpty, parsePort } from './flag-parsers.js';
import { signInDevice } from './sign-in.js';
import { runSync } from './sync.js';

/** The local account `ferry start` made, so a second device can sign in to it. */
interface StartAccount {
  readonly version: 1;
  readonly email: string;
  readonly password: string;
  readonly port: number;
}

const START_FILE = 'start.json';
const DEFAULT_PORT = 8787;

async function readStartAccount(home: string): Promise<StartAccount | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(home, START_FILE), 'utf8')) as StartAccount;
    if (
      parsed.version !== 1 ||
      typeof parsed.email !== 'string' ||
      typeof parsed.password !== 'string'
    ) {
      throw new CommandFailure(`${path.join(home, START_FILE)} is not a start.json of this Ferry`);
    }
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeStartAccount(home: string, account: StartAccount): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, START_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(account, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Quotes a value for a POSIX shell line the user copies. */
const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

interface StartFlags extends CommonFlags {
  readonly folder?: string;
  readonly port?: number;
  readonly uiPort?: number;
}

export function registerStartCommand(program: Command, io: CliIo): void {
  const command = program
    .command('start')
    .description(
      'run Ferry on this machine: the bundled server, a local account and a synced ~/Ferry',
    )
    .option(
      '--folder <dir>',
      'the folder to sync (default ~/Ferry, or the one used before)',
      parseNonEmpty,
    )
    .option(
      '--port <port>',
      `the server's port on 127.0.0.1 (default ${DEFAULT_PORT}, or the one used before)`,
      parsePort,
    )
    .option(
      '--ui-port <port>',
      'the port of the browser UI and the control API on 127.0.0.1 (default: any free port)',
      parsePort,
    );
  addCommonOptions(
    command,
    'one event a line, as ferry sync --json, after a {"type":"started",…} line',
  );
  command.action(async (flags: StartFlags) => {
    const home = homeOf(io, flags);
    const previous = await readStartAccount(home);
    const device = await readDeviceConfig(home);
    const port = flags.port ?? previous?.port ?? DEFAULT_PORT;
    const { startServer } = await import('server-mock');
    const server = await startServer({
      dataDir: path.join(home, 'server'),
      port,
      host: '127.0.0.1',
      logLevel: 'warn',
    });
    try {
      const account: StartAccount = previous ?? {
        version: 1,
        email: `${(userInfo().username || 'me').toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'me'}@ferry.local`,
        password: randomBytes(18).toString('base64url'),
        port: Number(new URL(server.url).port),
      };
      if (previous === undefined) {
        await withRemote({ serverUrl: server.url }, (remote, signal) =>
          remote.register(
            { email: account.email, password: account.password, name: userInfo().username || 'Me' },
            signal,
          ),
        );
        await writeStartAccount(home, { ...account, port: Number(new URL(server.url).port) });
      } else if (previous.port !== Number(new URL(server.url).port)) {
        await writeStartAccount(home, { ...previous, port: Number(new URL(server.url).port) });
      }
      let config: DeviceConfig | undefined = device;
      if (config === undefined || config.serverUrl !== server.url) {
        if (config !== undefined) {
          throw new CommandFailure(
            `${home} is signed in to ${config.serverUrl}, not to this machine's server ${server.url}: use another --home`,
          );
        }
        config = await signInDevice({
          home,
          serverUrl: server.url,
          email: account.email,
          password: account.password,
          deviceName: hostname() || 'this device',
        });
      }
      const folder =
        flags.folder !== undefined
          ? path.resolve(io.cwd, flags.folder)
          : (config.folder ?? path.join(homedir(), 'Ferry'));
      const second = path.join(homedir(), 'Ferry-second-device');
      const lines = [
        `Ferry is running.`,
        `  folder:  ${folder}`,
        `  server:  ${server.url} (data in ${path.join(home, 'server')})`,
        `  account: ${account.email}`,
        '',
        'Add a second device (another terminal, or another machine that can reach the server):',
        `  FERRY_PASSWORD=${shellQuote(account.password)} npx ferry login --server ${server.url} --email ${account.email} --home ${second}-home --device second`,
        `  npx ferry sync --home ${second}-home --folder ${second}`,
        '',
        'Press Ctrl-C to stop.',
      ];
      if (flags.json) {
        io.stdout.write(
          `${JSON.stringify({ type: 'started', folder, serverUrl: server.url, email: account.email, home })}\n`,
        );
      } else {
        io.stdout.write(`${lines.join('\n')}\n`);
      }
      await runSync(io, home, config, {
        folder,
        once: false,
        json: flags.json === true,
        uiPort: flags.uiPort ?? 0,
        allowMassDelete: false,
      });
    } finally {
      await server.close();
    }
  });
}
