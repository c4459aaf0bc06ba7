/**
 * The engine as the packaged desktop app runs it: only what electron-builder.yml packs (the
 * bundles under dist/, app/bin, package.json, the npm packages), no TypeScript source at all,
 * and FERRY_PACKAGED=1 as main/src/engine-child.ts sets it. In that layout `ferry signup` and
 * `ferry sync --once` work against a real server, the block codec's worker included, and the
 * file lands on the server byte for byte.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from 'server-mock';
import { createRemoteClient } from 'sync-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig } from '../config/device-home.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
let temp: string;
let server: RunningServer;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'ferry-packaged-'));
  const app = path.join(temp, 'app');
  for (const part of ['dist/cli', 'dist/ui', 'app/bin', 'package.json']) {
    await cp(path.join(root, part), path.join(app, part), { recursive: true });
  }
  await symlink(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  server = await startServer({
    dataDir: path.join(temp, 'server'),
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    scryptCost: 2 ** 10,
    policyIntervalMs: 0,
  });
});
afterAll(async () => {
  await server?.close();
  await rm(temp, { recursive: true, force: true });
});

describe('the packaged layout', () => {
  it('signs up and syncs a file with the bundles alone', async () => {
    const ferry = (args: string[]) =>
      run(process.execPath, [path.join(temp, 'app/app/bin/ferry.mjs'), ...args], {
        cwd: temp,
        env: {
          PATH: process.env.PATH,
          HOME: temp,
          FERRY_PACKAGED: '1',
          FERRY_PASSWORD: 'packaged correct horse',
          CI: 'true',
        },
      });
    const home = path.join(temp, 'home');
    const folder = path.join(temp, 'folder');
    await ferry([
      'signup',
      '--server',
      server.url,
      '--email',
      'pia@e2e.example',
      '--name',
      'Pia',
      '--home',
      home,
    ]);
    await mkdir(folder);
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 'packaged ');
    await writeFile(path.join(folder, 'big.bin'), content);
    const synced = await ferry(['sync', '--once', '--folder', folder, '--home', home]);
    expect(synced.stdout).toContain('In sync.');
    const config = await readDeviceConfig(home);
    const remote = createRemoteClient({ baseUrl: server.url, token: config!.token });
    try {
      const download = await remote.downloadFile(
        { path: '/big.bin' },
        new AbortController().signal,
      );
      const chunks: Buffer[] = [];
      for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    } finally {
      remote.close();
    }
  });
});
