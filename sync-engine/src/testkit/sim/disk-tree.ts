/**
 * A device's folder as the simulation compares it: every file (its bytes) and folder, by
 * `/`-rooted path, without Ferry's own `/.ferry`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type DiskEntry =
  { readonly kind: 'folder' } | { readonly kind: 'file'; readonly bytes: Buffer };

/** Path → entry, sorted by path. */
export type DiskTree = ReadonlyMap<string, DiskEntry>;

export async function readDiskTree(root: string): Promise<DiskTree> {
  const tree = new Map<string, DiskEntry>();
  async function walk(prefix: string): Promise<void> {
    const entries = await readdir(path.join(root, prefix), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = `${prefix}/${entry.name}`;
      if (relative === '/.ferry') continue;
      if (entry.isDirectory()) {
        tree.set(relative, { kind: 'folder' });
        await walk(relative);
      } else if (entry.isFile()) {
        tree.set(relative, { kind: 'file', bytes: await readFile(path.join(root, relative)) });
      }
    }
  }
  await walk('');
  return tree;
}

/** The differences between two trees, as lines (empty when equal). */
export function diffTrees(
  a: { name: string; tree: DiskTree },
  b: { name: string; tree: DiskTree },
): string[] {
  const lines: string[] = [];
  const describe = (entry: DiskEntry | undefined) =>
    entry === undefined
      ? 'nothing'
      : entry.kind === 'folder'
        ? 'a folder'
        : `a file of ${entry.bytes.length} B (${entry.bytes.subarray(0, 40).toString('utf8').split('\n')[0]})`;
  const paths = [...new Set([...a.tree.keys(), ...b.tree.keys()])].sort();
  for (const p of paths) {
    const x = a.tree.get(p);
    const y = b.tree.get(p);
    const same =
      x !== undefined &&
      y !== undefined &&
      x.kind === y.kind &&
      (x.kind === 'folder' || (y.kind === 'file' && x.bytes.equals(y.bytes)));
    if (!same) lines.push(`${p}: ${a.name} has ${describe(x)}, ${b.name} has ${describe(y)}`);
  }
  return lines;
}
