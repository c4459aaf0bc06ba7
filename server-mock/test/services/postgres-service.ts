/**
 * A real PostgreSQL for tests, from Debian's packages: `initdb` into a temp dir, `pg_ctl` on a
 * free loopback port (TCP only, its socket in the same dir), one database `ferry`, trust
 * authentication on loopback. PostgreSQL refuses to run as root, so as root (CI) it runs as the
 * `postgres` user the package created. `restart()` stops it hard (`-m immediate`: a crash, no
 * checkpoint) and starts it again on the same data: what was acknowledged must still be there.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface PostgresService {
  /** `postgres://postgres@127.0.0.1:PORT/ferry` */
  readonly url: string;
  readonly port: number;
  /** Stops it as a crash would (no shutdown checkpoint). */
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined)
    throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return path.join('/usr/lib/postgresql', versions[0], 'bin');
}

/** Runs a PostgreSQL program, as `postgres` when we are root. */
async function asOwner(program: string, args: readonly string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
    : [program, [...args]];
  await run(command, commandArgs, { timeout: 60_000 });
}

export async function startPostgres(): Promise<PostgresService> {
  const bin = await binDir();
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-pg-'));
  const data = path.join(root, 'data');
  const port = await freePort();
  if (process.getuid?.() === 0) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({
      uid: Number(stdout.trim()),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    }));
    await chown(root, uid, gid);
  }
  await asOwner(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    // No fsync: only an OS crash could lose data, and these tests crash the server process.
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');
  const start = () =>
    asOwner(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-o',
      options,
      '-l',
      path.join(root, 'log'),
      '-w',
      'start',
    ]);
  const kill = () =>
    asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  await start();
  await run(path.join(bin, 'createdb'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    'ferry',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/ferry`,
    port,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
