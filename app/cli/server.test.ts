import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const FERRY = fileURLToPath(new URL('../bin/ferry.mjs', import.meta.url));
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ferry server', () => {
  it('prints where it listens, serves, and stops gracefully on SIGTERM with exit code 0', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ferry-cli-server-'));
    const child = spawn(
      process.execPath,
      [FERRY, 'server', '--data', dir, '--port', '0', '--log-level', 'silent'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 30_000);
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('stopped');
  });

  it('rejects a bad port as a usage error', async () => {
    const child = spawn(process.execPath, [FERRY, 'server', '--port', 'eighty'], {
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
  });

  it('passes --public-url to the server, which refuses one that is not an http(s) URL', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ferry-cli-server-'));
    const child = spawn(
      process.execPath,
      [FERRY, 'server', '--data', dir, '--port', '0', '--public-url', 'ftp://files.example'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/public/i);
  });

  it('rejects an unknown --log-level as a usage error, before creating anything', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ferry-cli-server-'));
    const dataDir = path.join(dir, 'data');
    const child = spawn(
      process.execPath,
      [FERRY, 'server', '--data', dataDir, '--port', '0', '--log-level', 'bogus'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--log-level');
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    [
      ['--bus', 'redis://:hunter2@127.0.0.1:6379'],
      2,
      'put a Redis URL with a password in FERRY_BUS',
    ],
    [['--blocks', 's3://Not_A_Bucket'], 1, 'is not an S3 bucket name'],
    [['--blocks-replica', 'ftp://elsewhere'], 1, 'must be "local" or s3://'],
    [['--bus', 'http://127.0.0.1:6379'], 1, 'must be "local" or redis://'],
    [['--metadata', 'postgres://u:hunter2@127.0.0.1/ferry'], 1, 'password comes from PGPASSWORD'],
    [['--metadata', 'mysql://127.0.0.1/ferry'], 1, 'must be "sqlite" or postgres://'],
  ])('refuses %j before creating anything', async (flags, exitCode, message) => {
    dir = await mkdtemp(path.join(tmpdir(), 'ferry-cli-server-'));
    const dataDir = path.join(dir, 'data');
    const child = spawn(
      process.execPath,
      [FERRY, 'server', '--data', dataDir, '--port', '0', ...flags],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('hunter2');
    expect(existsSync(dataDir)).toBe(false);
  });
});
