import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asDevice,
  jsonOf,
  runFerry,
  startCliTestBed,
  uploadAs,
  type CliTestBed,
} from './cli-harness.fixture.js';

interface ActivityJson {
  events: { id: number; kind: string; path: string; fromPath?: string; actor: string }[];
  cursor: string | null;
}

let bed: CliTestBed;
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed?.close();
});

const activity = async (home: string, args: string[] = []) =>
  jsonOf(
    await runFerry(['activity', ...args, '--home', home, '--json']),
  ) as unknown as ActivityJson;

describe('ferry activity', () => {
  it('shows the most recent events, oldest of them first, as JSON and as text', async () => {
    const home = await bed.signUp('ann', ['--device', 'laptop']);
    expect(await activity(home)).toMatchObject({ events: [] });
    expect((await runFerry(['activity', '--home', home])).stdout).toBe('No activity yet.\n');

    await uploadAs(home, '/docs/a.txt', 'one');
    await uploadAs(home, '/docs/a.txt', 'two');
    await asDevice(home, (remote, signal) =>
      remote.movePath({ from: '/docs/a.txt', to: '/docs/b.txt' }, signal),
    );
    await asDevice(home, (remote, signal) => remote.deletePath('/docs/b.txt', signal));

    const all = await activity(home);
    expect(all.events.map((e) => [e.kind, e.path])).toEqual([
      ['file_added', '/docs/a.txt'],
      ['file_edited', '/docs/a.txt'],
      ['file_moved', '/docs/b.txt'],
      ['file_deleted', '/docs/b.txt'],
    ]);
    const lastTwo = await activity(home, ['--limit', '2']);
    expect(lastTwo.events).toEqual(all.events.slice(-2));

    const text = await runFerry(['activity', '--home', home]);
    expect(text.stdout).toMatch(/ann \(laptop\) +moved +\/docs\/a\.txt -> \/docs\/b\.txt/);
    expect(text.stdout).toMatch(/ann \(laptop\) +deleted +\/docs\/b\.txt/);
  });

  it('pages through a feed longer than one server page to show its end', async () => {
    const home = await bed.signUp('bob');
    const folders = Array.from({ length: 1010 }, (_, i) => `/f${String(i).padStart(4, '0')}`);
    await asDevice(home, async (remote, signal) => {
      // One after the other: the feed's order is what the test checks.
      for (const folder of folders) await remote.createFolder(folder, signal);
    });
    const tail = await activity(home, ['--limit', '3']);
    expect(tail.events.map((e) => e.path)).toEqual(folders.slice(-3));
    expect(tail.events.every((e) => e.kind === 'folder_created')).toBe(true);
  });

  it.each([['0'], ['1001'], ['ten'], ['-1']])('refuses --limit %s (exit 2)', async (limit) => {
    const run = await runFerry(['activity', '--limit', limit, '--home', bed.newHome()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ferry: option '--limit <n>' argument '.*' is invalid/);
  });
});
