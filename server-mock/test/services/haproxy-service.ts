/**
 * A load balancer for tests: Debian's HAProxy on a free loopback port in front of `backends`,
 * round robin, each backend probed on `GET /healthz` every 300 ms (out after 3 failures, back
 * after 1 success), a request whose connection fails retried on another backend. Long-polls
 * are held up to 120 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface HaproxyService {
  readonly url: string;
  stop(): Promise<void>;
}

function configOf(port: number, backends: readonly number[]): string {
  return [
    'global',
    '  maxconn 4000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 130s',
    '  timeout server 130s',
    '  retries 3',
    '  option redispatch',
    '  option httpchk GET /healthz',
    // A busy instance answers its probe late, not never: 3 s before a probe counts as failed.
    '  timeout check 3s',
    '  default-server inter 300 fall 3 rise 1',
    'frontend ferry',
    `  bind 127.0.0.1:${port}`,
    '  default_backend api',
    'backend api',
    '  balance roundrobin',
    ...backends.map((backend, i) => `  server api${i} 127.0.0.1:${backend} check`),
    '',
  ].join('\n');
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startHaproxy(backends: readonly number[]): Promise<HaproxyService> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-haproxy-'));
  const port = await freePort();
  const config = path.join(dir, 'haproxy.cfg');
  await writeFile(config, configOf(port, backends));
  const child: ChildProcess = spawn('haproxy', ['-f', config, '-db'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await Promise.race([
      listening(port, 10_000),
      exited.then(() => {
        throw new Error(`haproxy exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
