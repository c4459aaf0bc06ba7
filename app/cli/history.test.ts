import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig, writeDeviceConfig } from '../config/device-home.js';
import {
  asDevice,
  downloadAs,
  jsonOf,
  runFerry,
  runFerryProcess,
  startCliTestBed,
  uploadAs,
  type CliTestBed,
} from './cli-harness.fixture.js';

interface HistoryJson {
  path: string;
  fileId: string;
  files: { fileId: string; deleted: boolean }[];
  revisions: { rev: string; fileId: string; size: number; author: string; deviceName: string }[];
}

let bed: CliTestBed;
let home: string;
let folder: string;
beforeAll(async () => {
  bed = await startCliTestBed();
  home = await bed.signUp('ann', ['--device', 'laptop']);
  // As `ferry sync` will have remembered it.
  folder = path.join(await bed.newDir(), 'Ferry');
  await mkdir(path.join(folder, 'docs'), { recursive: true });
  const config = (await readDeviceConfig(home))!;
  await writeDeviceConfig(home, { ...config, folder });
});
afterAll(async () => {
  await bed?.close();
});

const history = async (args: string[], cwd?: string) =>
  jsonOf(
    await runFerry(['history', ...args, '--home', home, '--json'], { cwd }),
  ) as unknown as HistoryJson;

describe('ferry history and restore', () => {
  it('lists revisions newest first, honours --limit, and restores an old one as the newest', async () => {
    const first = await uploadAs(home, '/docs/a.txt', 'first version');
    const second = await uploadAs(home, '/docs/a.txt', 'second, longer version');

    const all = await history(['/docs/a.txt']);
    expect(all.path).toBe('/docs/a.txt');
    expect(all.revisions.map((r) => r.rev)).toEqual([second, first]);
    expect(all.revisions[0]).toMatchObject({ size: 22, author: 'ann', deviceName: 'laptop' });
    expect((await history(['/docs/a.txt', '--limit', '1'])).revisions.map((r) => r.rev)).toEqual([
      second,
    ]);

    const text = await runFerry(['history', '/docs/a.txt', '--home', home]);
    expect(text.stdout).toContain('/docs/a.txt: 2 revisions, newest first');
    expect(text.stdout).toContain(first);

    const restored = await runFerry([
      'restore',
      '/docs/a.txt',
      '--rev',
      first,
      '--home',
      home,
      '--json',
    ]);
    const out = jsonOf(restored) as { restoredFrom: string; file: { rev: string; path: string } };
    expect(out.restoredFrom).toBe(first);
    expect(out.file.path).toBe('/docs/a.txt');
    expect(await downloadAs(home, '/docs/a.txt')).toBe('first version');
    // Nothing lost: the replaced version is still in the history.
    const after = await history(['/docs/a.txt']);
    expect(after.revisions.map((r) => r.rev)).toEqual([out.file.rev, second, first]);
  });

  it('shows the history of a deleted file and brings it back', async () => {
    const rev = await uploadAs(home, '/docs/gone.txt', 'deleted content');
    await asDevice(home, (remote, signal) => remote.deletePath('/docs/gone.txt', signal));
    const gone = await history(['/docs/gone.txt']);
    expect(gone.files).toEqual([{ fileId: gone.fileId, deleted: true }]);
    const text = await runFerry(['history', '/docs/gone.txt', '--home', home]);
    expect(text.stdout).toContain('deleted file');

    const run = await runFerryProcess(['restore', '/docs/gone.txt', '--rev', rev, '--home', home]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Restored /docs/gone.txt from revision ${rev}`);
    expect(await downloadAs(home, '/docs/gone.txt')).toBe('deleted content');
  });

  it('maps paths in the synced folder, absolute or relative, NFD or NFC, to server paths', async () => {
    const rev = await uploadAs(home, '/docs/caf\u00e9.txt', 'coffee');
    const byServerPath = await history(['/docs/caf\u00e9.txt']);
    expect(byServerPath.revisions.map((r) => r.rev)).toEqual([rev]);
    const nfd = 'caf\u0065\u0301.txt';
    for (const [argument, cwd] of [
      [path.join(folder, 'docs', nfd), '/'],
      [`docs/${nfd}`, folder],
      [nfd, path.join(folder, 'docs')],
      [`./caf\u00e9.txt`, path.join(folder, 'docs')],
    ] as const) {
      const out = await history([argument], cwd);
      expect(out.path).toBe('/docs/caf\u00e9.txt');
      expect(out.revisions.map((r) => r.rev)).toEqual([rev]);
    }
  });

  it('refuses paths outside the synced folder, bad revisions and bad limits (exit 2)', async () => {
    const outside = path.join(path.dirname(folder), 'elsewhere.txt');
    for (const args of [
      ['history', outside],
      ['history', '../elsewhere.txt'],
      ['history', '/docs/../a.txt'],
      ['history', '/docs/a.txt', '--limit', '0'],
      ['history', '/docs/a.txt', '--limit', '1001'],
      ['history', '/docs/a.txt', '--limit', '2.5'],
      ['restore', '/docs/a.txt'],
      ['restore', '/docs/a.txt', '--rev', 'has space'],
      ['restore', outside, '--rev', 'r_1'],
    ]) {
      const run = await runFerry([...args, '--home', home], { cwd: folder });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^ferry: /);
      expect(run.stdout).toBe('');
    }
    const run = await runFerry(['history', outside, '--home', home], { cwd: folder });
    expect(run.stderr).toBe(
      `ferry: ${outside} is outside the synced folder ${folder}: give a path inside it or a server path such as /docs/a.txt\n`,
    );
    expect(existsSync(outside)).toBe(false);
  });

  it('reports server errors with their code (exit 1), changing nothing', async () => {
    const missing = await runFerry(['history', '/docs/never.txt', '--home', home]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ferry: .*\(not_found\)\n$/);
    const before = await readFile(path.join(home, 'device.json'), 'utf8');
    const wrongRev = await runFerry(['restore', '/docs/a.txt', '--rev', 'r_nope', '--home', home]);
    expect(wrongRev.code).toBe(1);
    expect(wrongRev.stderr).toMatch(/^ferry: restore \/docs\/a.txt to r_nope: .*\(not_found\)\n$/);
    expect(await readFile(path.join(home, 'device.json'), 'utf8')).toBe(before);
  });
});
