/**
 * The newcomer's path, as the README tells it: `ferry start` on a fresh machine (HOME and
 * FERRY_HOME in a temp dir, `--port 0` so the test never collides with a real 8787), no prompt.
 * A file dropped into the folder it prints reaches the server; the two "Add a second device"
 * command lines it prints, run as printed (through `node app/bin/ferry.mjs` instead of
 * `npx ferry`, `--once` added to the sync line), bring the file to a second device. Ctrl-C
 * stops `ferry start` with exit code 0.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FERRY_BIN,
  ferryEnv,
  killLeftoverFerries,
  runFerry,
  startFerry,
  type FerryRun,
  type RunningFerry,
} from './ferry-process.fixture.js';

let root: string;
let env: NodeJS.ProcessEnv;
let start: RunningFerry;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ferry-newcomer-'));
  env = { HOME: path.join(root, 'home'), FERRY_HOME: path.join(root, 'ferry-home') };
});
afterAll(async () => {
  await killLeftoverFerries();
  await rm(root, { recursive: true, force: true });
});

/** Runs one printed command line with /bin/sh, as the user pastes it into a terminal. */
async function runPrintedLine(line: string): Promise<FerryRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)('/bin/sh', ['-c', line], {
      env: ferryEnv({ HOME: env.HOME }),
      cwd: env.HOME,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `npx ferry …` of a printed line, as this checkout runs it. */
const throughThisCheckout = (line: string) =>
  line.replace(/\bnpx ferry\b/, `'${process.execPath}' '${FERRY_BIN}'`);

describe('ferry start, then a second device as it says', () => {
  let folder: string;
  let printed: string[];

  it('starts on a fresh machine with no prompt and prints where everything is', async () => {
    start = startFerry(['start', '--port', '0'], { env, cwd: root });
    await start.waitForLine((line) => line === 'Ferry is running.', '"Ferry is running."');
    await start.waitForLine((line) => line === 'Press Ctrl-C to stop.', 'the whole banner');
    printed = [...start.lines];
    const field = (name: string) =>
      printed.find((line) => line.startsWith(`  ${name}:`))?.replace(/^ {2}\w+: +/, '');
    folder = field('folder')!;
    expect(folder).toBe(path.join(env.HOME!, 'Ferry'));
    expect(field('server')).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(data in /);
    expect(field('account')).toMatch(/@ferry\.local$/);
  });

  it('uploads a file dropped into the folder', async () => {
    await writeFile(path.join(folder, 'hello.txt'), 'hello, second device\n');
    await start.waitForLine(
      (line) => line.startsWith('uploaded /hello.txt'),
      'ferry start uploading /hello.txt',
    );
    // On the server: its history, asked as the user would in another terminal.
    const history = await runFerry(['history', '/hello.txt', '--json'], { env, cwd: root });
    expect(history.code, history.stderr).toBe(0);
    const revisions = (JSON.parse(history.stdout) as { revisions: { size: number }[] }).revisions;
    expect(revisions).toEqual([expect.objectContaining({ size: 21 })]);
  });

  it('adds a second device with exactly the two printed commands', async () => {
    const heading = printed.indexOf(
      'Add a second device (another terminal, or another machine that can reach the server):',
    );
    expect(heading).toBeGreaterThan(0);
    const [login, sync] = printed.slice(heading + 1, heading + 3).map((line) => line.trim());
    expect(login).toMatch(/^FERRY_PASSWORD=\S+ npx ferry login /);
    expect(sync).toMatch(/^npx ferry sync /);

    const signedIn = await runPrintedLine(throughThisCheckout(login!));
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(signedIn.stdout).toContain('Signed in as');
    const synced = await runPrintedLine(`${throughThisCheckout(sync!)} --once`);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toContain('In sync.');

    const secondFolder = sync!.match(/--folder (\S+)/)![1]!;
    expect(await readFile(path.join(secondFolder, 'hello.txt'), 'utf8')).toBe(
      'hello, second device\n',
    );
  });

  it('stops on Ctrl-C (SIGINT) with exit code 0', async () => {
    expect(await start.stop('SIGINT')).toBe(0);
    expect(start.stderr()).toBe('');
  });
});
