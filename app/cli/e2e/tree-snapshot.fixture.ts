/**
 * What a synced folder holds, for comparing devices: every file and folder under it (but the
 * engine's own `.ferry/`), keyed by its NFC path, files by size and SHA-256 (streamed, so a
 * 256 MiB file is never in memory). Two entries with one NFC name fail the snapshot: NFC and NFD
 * spellings of one name must be one file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect } from 'vitest';
import { waitUntil } from './wait-until.fixture.js';

/** NFC path → `folder`, or `file <size> <sha256 hex>`. Keys sorted. */
export type TreeSnapshot = Record<string, string>;

/** Something with a synced folder and a name to show in a failure. */
export interface TreeHolder {
  readonly name: string;
  readonly folder: string;
}

/** The snapshot entry of a file with `content`. */
export function fileEntry(content: string | Uint8Array): string {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return `file ${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}`;
}

/** SHA-256 of a file, hex, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

interface Listed {
  readonly path: string;
  readonly absolute: string;
  readonly kind: 'folder' | 'file';
  readonly sizeBytes: number;
}

/** Every entry under `folder` but `/.ferry`, with OS names normalised to NFC; no hashing. */
async function listTree(folder: string): Promise<Listed[]> {
  const listed: Listed[] = [];
  const seen = new Map<string, string>();
  const visit = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const own = `${relative}/${entry.name}`;
      if (own === '/.ferry') continue;
      const key = own.normalize('NFC');
      const twin = seen.get(key);
      if (twin !== undefined) {
        throw new Error(`${folder} holds ${JSON.stringify(twin)} and ${JSON.stringify(own)}`);
      }
      seen.set(key, own);
      const absolute = path.join(folder, own);
      if (entry.isDirectory()) {
        listed.push({ path: key, absolute, kind: 'folder', sizeBytes: 0 });
        await visit(own);
      } else {
        const { size } = await stat(absolute);
        listed.push({ path: key, absolute, kind: 'file', sizeBytes: size });
      }
    }
  };
  await visit('');
  return listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A few hashes at once: enough to keep the disk busy, bounded so memory stays low. */
const HASH_CONCURRENCY = 8;

/** The snapshot of `folder` (see {@link TreeSnapshot}). */
export async function snapshotTree(folder: string): Promise<TreeSnapshot> {
  const listed = await listTree(folder);
  const values: string[] = new Array<string>(listed.length);
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const index = next++;
      const entry = listed[index]!;
      values[index] =
        entry.kind === 'folder'
          ? 'folder'
          : `file ${entry.sizeBytes} ${await sha256OfFile(entry.absolute)}`;
    }
  };
  await Promise.all(Array.from({ length: HASH_CONCURRENCY }, worker));
  return Object.fromEntries(listed.map((entry, index) => [entry.path, values[index]!]));
}

/** Asserts every holder's tree equals the first one's; returns that tree. */
export async function expectSameTrees(holders: readonly TreeHolder[]): Promise<TreeSnapshot> {
  const [first, ...others] = holders;
  if (first === undefined) throw new Error('no trees to compare');
  const expected = await snapshotTree(first.folder);
  for (const other of others) {
    expect(await snapshotTree(other.folder), `${other.name}'s tree vs ${first.name}'s`).toEqual(
      expected,
    );
  }
  return expected;
}

/** A cheap fingerprint of a tree: paths, kinds and sizes, no contents. */
async function shapeOf(folder: string): Promise<string> {
  return (await listTree(folder))
    .map((entry) => `${entry.path} ${entry.kind} ${entry.sizeBytes}`)
    .join('\n');
}

/** The shape {@link shapeOf} gives for a snapshot. */
function shapeOfSnapshot(tree: TreeSnapshot): string {
  return Object.keys(tree)
    .sort()
    .map((key) => {
      const value = tree[key]!;
      return value === 'folder' ? `${key} folder 0` : `${key} file ${value.split(' ')[1]}`;
    })
    .join('\n');
}

/** `tree` with its keys in snapshot order. */
function sortedSnapshot(tree: TreeSnapshot): TreeSnapshot {
  return Object.fromEntries(Object.entries(tree).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/** Whether every holder's tree equals `expected` now. */
async function treesMatch(holders: readonly TreeHolder[], expected: TreeSnapshot) {
  const shape = shapeOfSnapshot(expected);
  const text = JSON.stringify(sortedSnapshot(expected));
  try {
    for (const holder of holders) if ((await shapeOf(holder.folder)) !== shape) return false;
    for (const holder of holders) {
      if (JSON.stringify(await snapshotTree(holder.folder)) !== text) return false;
    }
    return true;
  } catch (error) {
    // An engine renaming a download into place while we list: look again.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Waits until every holder's tree is byte-identical to `expected` (polling the cheap shape,
 * hashing only once the shapes agree). On timeout, fails with the diff of the first tree that
 * differs.
 */
export async function waitForTrees(
  holders: readonly TreeHolder[],
  expected: TreeSnapshot,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  try {
    await waitUntil(() => treesMatch(holders, expected), {
      timeoutMs: options.timeoutMs ?? 60_000,
      // Every look lists the trees: with thousands of files, look less often.
      intervalMs: options.intervalMs ?? 250,
      what: `the expected tree on ${holders.map((holder) => holder.name).join(', ')}`,
    });
  } catch (error) {
    for (const holder of holders) {
      expect(await snapshotTree(holder.folder), `${holder.name}'s tree`).toEqual(
        sortedSnapshot(expected),
      );
    }
    throw error;
  }
}
