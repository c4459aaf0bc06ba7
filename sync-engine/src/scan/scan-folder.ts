/**
 * The start-up and periodic full scan of a synced folder: walks the FileSystem port, leaves out
 * ignored entries, reports what cannot or should not sync (scan-problems.ts), and fingerprints
 * only files whose inode, size or mtime changed since the last scan (the quick check), so an
 * unchanged tree is scanned without reading any file content. Paths come out NFC, as on the wire.
 */
import { parsePath } from '../protocol/index.js';
import type { IgnoreRules } from '../ignore/ignore-rules.js';
import type { EntryStat, FileSystem } from '../ports.js';
import { caseOnlyTwins, nonPortableReason } from './portable-names.js';
import type { ScanProblem } from './scan-problems.js';

/** What the last scan saw at a path (the local tree's memo of it). */
export interface KnownEntry {
  readonly inode: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly fingerprint?: string | undefined;
}

/** One entry found on disk. */
export interface ScannedEntry {
  /** NFC, `/`-rooted. */
  readonly path: string;
  /** The name as the file system spells it, when it differs from the NFC path (NFD on disk). */
  readonly diskPath?: string;
  readonly kind: 'file' | 'folder';
  readonly inode: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /** xxHash64 of the content; files only. */
  readonly fingerprint?: string;
  /** True when the content was read this scan (the quick check did not hold). */
  readonly wasRead: boolean;
}

export interface ScanResult {
  readonly entries: ScannedEntry[];
  readonly problems: ScanProblem[];
}

export interface ScanFolderOptions {
  readonly fs: FileSystem;
  readonly ignore: IgnoreRules;
  /** What the last scan saw, by NFC path. */
  readonly known: ReadonlyMap<string, KnownEntry>;
  /** The same memo by inode: a file moved since the last scan is not read again. */
  readonly knownByInode?: ReadonlyMap<string, KnownEntry>;
  /** Fingerprints the file at a disk path (streams its content). */
  readonly fingerprint: (diskPath: string, signal?: AbortSignal) => Promise<string>;
  readonly signal?: AbortSignal;
}

const isQuickMatch = (known: KnownEntry | undefined, stat: EntryStat) =>
  known !== undefined &&
  known.fingerprint !== undefined &&
  known.inode === stat.inode &&
  known.sizeBytes === stat.sizeBytes &&
  known.mtimeMs === stat.mtimeMs;

/** Entries of one folder visited at once. */
const VISIT_CONCURRENCY = 16;

const join = (folder: string, name: string) => (folder === '/' ? `/${name}` : `${folder}/${name}`);

/** Scans the whole folder. Never throws for one bad entry: it becomes a problem. */
export async function scanFolder(options: ScanFolderOptions): Promise<ScanResult> {
  const entries: ScannedEntry[] = [];
  const problems: ScanProblem[] = [];
  // Folders to visit: their NFC path and their path on disk.
  const pending: Array<{ path: string; diskPath: string }> = [{ path: '/', diskPath: '/' }];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    options.signal?.throwIfAborted();
    let listing;
    try {
      listing = await options.fs.readDir(folder.diskPath, options.signal);
    } catch (error) {
      problems.push(unreadable(folder.path, error));
      continue;
    }
    const byNfc = new Map<string, string[]>();
    for (const entry of listing) {
      const nfc = entry.name.normalize('NFC');
      byNfc.set(nfc, [...(byNfc.get(nfc) ?? []), entry.name]);
    }
    const kept: string[] = [];
    const names = [...byNfc];
    // Entries of a folder are looked at side by side: each lstat (and a changed file's read)
    // waits on the OS, and one at a time leaves the disk and the thread pool idle.
    let next = 0;
    const visitor = async () => {
      while (next < names.length) {
        const [nfcName, spellings] = names[next++]!;
        const path = join(folder.path, nfcName);
        if (spellings.length > 1) {
          problems.push({
            kind: 'unicode_twins',
            paths: spellings.map((s) => join(folder.path, s)),
          });
          continue;
        }
        const diskPath = join(folder.diskPath, spellings[0]!);
        const found = await visit({ options, path, diskPath, problems });
        if (!found) continue;
        kept.push(nfcName);
        entries.push(found);
        if (found.kind === 'folder') pending.push({ path, diskPath });
      }
    };
    await Promise.all(Array.from({ length: Math.min(VISIT_CONCURRENCY, names.length) }, visitor));
    for (const twins of caseOnlyTwins(kept)) {
      problems.push({ kind: 'case_only_twins', paths: twins.map((n) => join(folder.path, n)) });
    }
  }
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  entries.sort((a, b) => byPath(a.path, b.path));
  // Found side by side: put in one order, so reports do not shuffle from scan to scan.
  const problemPath = (problem: ScanProblem) =>
    'path' in problem ? problem.path : (problem.paths[0] ?? '');
  problems.sort((a, b) => byPath(problemPath(a), problemPath(b)));
  return { entries, problems };
}

async function visit(input: {
  options: ScanFolderOptions;
  path: string;
  diskPath: string;
  problems: ScanProblem[];
}): Promise<ScannedEntry | undefined> {
  const { options, path, diskPath, problems } = input;
  let stat: EntryStat | undefined;
  try {
    stat = await options.fs.stat(diskPath, options.signal);
  } catch (error) {
    problems.push(unreadable(path, error));
    return undefined;
  }
  if (!stat) return undefined; // Removed since the listing: the next scan or the watcher sees it.
  if (options.ignore.isIgnored(path, stat.kind === 'folder')) return undefined;
  if (stat.kind === 'symlink' || stat.kind === 'other') {
    problems.push({ kind: 'unsupported_entry', path, entry: stat.kind });
    return undefined;
  }
  const parsed = parsePath(path);
  if (!parsed.ok) {
    problems.push({ kind: 'invalid_path', path, problem: parsed.problem });
    return undefined;
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  const reason = nonPortableReason(name);
  if (reason) problems.push({ kind: 'not_portable', path, reason });
  const base = {
    path,
    ...(diskPath !== path ? { diskPath } : {}),
    inode: stat.inode,
    sizeBytes: stat.sizeBytes,
    mtimeMs: stat.mtimeMs,
  };
  if (stat.kind === 'folder') return { ...base, kind: 'folder', wasRead: false };
  const known = options.known.get(path) ?? options.knownByInode?.get(stat.inode);
  if (isQuickMatch(known, stat)) {
    return { ...base, kind: 'file', fingerprint: known!.fingerprint!, wasRead: false };
  }
  try {
    const fingerprint = await options.fingerprint(diskPath, options.signal);
    return { ...base, kind: 'file', fingerprint, wasRead: true };
  } catch (error) {
    problems.push(unreadable(path, error));
    return undefined;
  }
}

function unreadable(path: string, error: unknown): ScanProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  return { kind: 'unreadable', path, code };
}
