/**
 * A real Redis for tests, from Debian's `redis-server`: loopback only, a free port, data in a
 * temp dir, no persistence. `restart()` kills it and starts it again on the same port (the
 * "Redis restarted" failure); `stop()` ends it for good.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface RedisService {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, then the same server again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
  /** SIGKILL and wait for the exit; `start()` brings it back. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const READY = /Ready to accept connections/;

export async function startRedis(): Promise<RedisService> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const started = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (READY.test(output)) {
          started.stdout!.off('data', onData);
          started.stdout!.resume();
          resolve();
        }
      };
      started.stdout!.on('data', onData);
      started.stderr!.resume();
      started.once('error', reject);
      started.once('exit', (code) => {
        if (!READY.test(output)) reject(new Error(`redis-server exited (${code}): ${output}`));
      });
    });

  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
