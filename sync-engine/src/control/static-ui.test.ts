/**
 * The browser UI's files served by the control API: `/` and each file of the build folder,
 * without the token but behind the Host check, with a policy that keeps the page to itself;
 * nothing outside the files read at start (no traversal, no symlink, no unknown type, no
 * subfolder); and requests carrying another site's Origin refused on every route.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeStartedServers,
  errorOf,
  send,
  startRecordingServer,
  STATUS,
} from './http-server.fixture.js';
import { loadUiFiles } from './static-ui.js';

let dir: string;
const INDEX = '<!doctype html><div id="app"></div>';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-ui-'));
  await writeFile(path.join(dir, 'index.html'), INDEX);
  await writeFile(path.join(dir, 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'App.CSS'), 'body{}');
  await writeFile(path.join(dir, 'notes.txt'), 'not a UI file');
  await mkdir(path.join(dir, 'nested'));
  await writeFile(path.join(dir, 'nested', 'inner.js'), 'inner');
  const secret = path.join(dir, '..', `${path.basename(dir)}-secret.js`);
  await writeFile(secret, 'secret');
  await symlink(secret, path.join(dir, 'linked.js'));
});
afterEach(closeStartedServers);
afterAll(async () => {
  await rm(`${dir}-secret.js`, { force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('the UI files of the control API', () => {
  it('serves / and each file without the token, with a strict policy', async () => {
    const { server } = await startRecordingServer({ uiDir: dir });
    for (const [pathName, type, body] of [
      ['/', 'text/html; charset=utf-8', INDEX],
      ['/index.html', 'text/html; charset=utf-8', INDEX],
      ['/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['/App.CSS', 'text/css; charset=utf-8', 'body{}'],
    ] as const) {
      const answer = await send(server, { path: pathName, token: null });
      expect(answer.status, pathName).toBe(200);
      expect(answer.headers['content-type'], pathName).toBe(type);
      expect(answer.body, pathName).toBe(body);
      expect(answer.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('serves nothing else: traversal, symlinks, unknown types, subfolders, other methods', async () => {
    const { server } = await startRecordingServer({ uiDir: dir });
    for (const pathName of [
      '/notes.txt',
      '/nested/inner.js',
      '/linked.js',
      `/../${path.basename(dir)}-secret.js`,
      `/%2e%2e/${path.basename(dir)}-secret.js`,
      '/app.js/',
      '/APP.JS',
    ]) {
      const answer = await send(server, { path: pathName, token: null });
      expect(answer.status, pathName).toBe(401);
      expect(errorOf(answer).code, pathName).toBe('unauthorized');
      // With the token it is simply not there.
      const withToken = await send(server, { path: pathName });
      expect(withToken.status, pathName).toBe(404);
    }
    const posted = await send(server, { method: 'POST', path: '/app.js', body: '{}' });
    expect(posted.status).toBe(404);
  });

  it('still checks Host on the UI files (DNS rebinding)', async () => {
    const { server } = await startRecordingServer({ uiDir: dir });
    const answer = await send(server, {
      path: '/',
      token: null,
      headers: { host: 'evil.example' },
    });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe('invalid_request');
  });

  it('refuses another Origin on the API and the files (403), and accepts its own', async () => {
    const { server, calls } = await startRecordingServer({ uiDir: dir });
    const { port } = new URL(server.url);
    for (const origin of ['http://evil.example', `http://127.0.0.1:${Number(port) + 1}`, 'null']) {
      for (const [method, pathName] of [
        ['POST', '/api/pause'],
        ['GET', '/api/status'],
        ['GET', '/'],
      ] as const) {
        const answer = await send(server, { method, path: pathName, headers: { origin } });
        expect(answer.status, `${origin} ${pathName}`).toBe(403);
        expect(errorOf(answer)).toEqual({
          code: 'forbidden_origin',
          message: `requests from ${origin} are refused`,
        });
      }
    }
    expect(calls.map((call) => call.method)).toEqual([]);
    for (const origin of [`http://127.0.0.1:${port}`]) {
      const answer = await send(server, { path: '/api/status', headers: { origin } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(STATUS);
    }
    const viaLocalhost = await send(server, {
      path: '/api/status',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    });
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses to start on a folder without index.html', async () => {
    await expect(loadUiFiles(path.join(dir, 'nested'))).rejects.toThrow(/has no index.html/);
    await expect(startRecordingServer({ uiDir: path.join(dir, 'nested') })).rejects.toThrow(
      /has no index.html/,
    );
  });
});
