import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module of the launcher, without type declarations
import { isBundleFresh } from './fresh-bundle.mjs';

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'ferry-fresh-bundle-'));
});
afterEach(() => rm(temp, { recursive: true, force: true }));
const dir = () => temp;

async function layout(inputs: string[], builtAt: Date, sourceAt: Date) {
  await mkdir(path.join(dir(), 'dist/cli'), { recursive: true });
  await mkdir(path.join(dir(), 'src'), { recursive: true });
  for (const input of ['src/a.ts', 'src/b.ts']) {
    await writeFile(path.join(dir(), input), 'source');
    await utimes(path.join(dir(), input), sourceAt, sourceAt);
  }
  await writeFile(path.join(dir(), 'dist/cli/inputs.json'), JSON.stringify({ inputs }));
  await writeFile(path.join(dir(), 'dist/cli/ferry.mjs'), 'bundle');
  await utimes(path.join(dir(), 'dist/cli/ferry.mjs'), builtAt, builtAt);
}

const root = () => pathToFileURL(`${dir()}/`);
const earlier = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T00:00:00Z');

describe('the launcher runs the bundle only while it is fresh', () => {
  it('takes a bundle built after every input', async () => {
    await layout(['src/a.ts', 'src/b.ts'], later, earlier);
    expect(isBundleFresh(root())).toBe(true);
  });

  it('runs from source once an input is newer than the bundle', async () => {
    await layout(['src/a.ts', 'src/b.ts'], later, earlier);
    await utimes(path.join(dir(), 'src/b.ts'), new Date(), new Date());
    expect(isBundleFresh(root())).toBe(false);
  });

  it('runs from source when an input is gone, the list is broken or there is no bundle', async () => {
    await layout(['src/a.ts', 'src/gone.ts'], later, earlier);
    expect(isBundleFresh(root())).toBe(false);
    await layout([], later, earlier);
    expect(isBundleFresh(root())).toBe(false);
    await writeFile(path.join(dir(), 'dist/cli/inputs.json'), '{not json');
    expect(isBundleFresh(root())).toBe(false);
    expect(isBundleFresh(pathToFileURL('/nonexistent/'))).toBe(false);
  });
});
