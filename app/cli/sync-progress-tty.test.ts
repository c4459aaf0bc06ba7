/**
 * `ferry sync` on a terminal: run under a real pseudo-terminal (util-linux `script`), it draws a
 * progress bar (files, bytes, speed), clears it to print each change above it, and ends with
 * "up to date"; `NO_COLOR` leaves no colour codes (the bar's cursor movements stay).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FERRY_BIN, startCliTestBed, type CliTestBed } from './cli-harness.fixture.js';

const run = promisify(execFile);
const ESC = String.fromCharCode(0x1b);
let bed: CliTestBed;
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed.close();
});

/** What `ferry sync --once` writes to a terminal, both streams as the terminal got them. */
async function syncOnTerminal(env: Record<string, string> = {}): Promise<string> {
  const home = await bed.signUp(`tty${Math.random().toString(36).slice(2, 8)}`);
  const folder = await bed.newDir();
  for (let i = 0; i < 12; i += 1) {
    await writeFile(path.join(folder, `photo-${i}.jpg`), randomBytes(150_000));
  }
  const command = [
    process.execPath,
    FERRY_BIN,
    'sync',
    '--once',
    '--folder',
    folder,
    '--home',
    home,
  ]
    .map((word) => `'${word}'`)
    .join(' ');
  // -e: the command's exit status; /dev/null: no typescript file (the output comes on stdout).
  const { stdout } = await run('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, ...env, TERM: 'xterm-256color' },
    timeout: 60_000,
  });
  return stdout;
}

describe('ferry sync on a terminal', () => {
  it('draws a progress bar of files, bytes and speed, and says when it is up to date', async () => {
    const screen = await syncOnTerminal();
    // The bar as its format draws it: "syncing <bar> 3/12 files | ↑ 1.2 MiB ↓ 0 B | 300 KiB/s".
    expect(screen).toMatch(
      /syncing \S+ \d+\/\d+ files \| ↑ [\d.]+ \S+ ↓ [\d.]+ \S+ \| [\d.]+ \S+\/s/,
    );
    // Every change on a line of its own, the bar cleared first (ESC [2K), never run into it.
    expect(screen).toMatch(new RegExp(`${ESC}\\[2Kuploaded /photo-\\d+\\.jpg, 146\\.5 KiB\\r?\\n`));
    expect(screen.match(/uploaded \/photo-/g)).toHaveLength(12);
    expect(screen).toMatch(/up to date\r?\n/);
  }, 90_000);

  it('uses no colour with NO_COLOR', async () => {
    const screen = await syncOnTerminal({ NO_COLOR: '1' });
    expect(screen).toContain('up to date');
    // SGR sequences (ESC [ … m) are colours and styles; cursor movements are other letters.
    expect(screen).not.toMatch(new RegExp(`${ESC}\\[[\\d;]*m`));
  }, 90_000);
});
