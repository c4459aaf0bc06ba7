/**
 * Test harness: the two sides of the sync model in memory. The disk behaves as POSIX does for
 * what the executors use (rename moves a subtree and replaces a file, mkdir makes parents,
 * removing a non-empty folder fails with ENOTEMPTY); the server as server-mock does (commits on
 * parentRev, a commit at a free path revives the file last deleted there, folder moves and
 * deletes in one step, journal entries parents first, viewers may not write in a share, nothing
 * moves into or out of a share). Pure: imported only by the planner's tests.
 */
import type { Rev } from '../protocol/index.js';
import { ModelError, compare } from './model-trees.fixture.js';
import type { PlanKind } from './plan-types.js';

/** One clock for the whole model: every write gets a later time (mtimes never collide). */
export class ModelClock {
  private nowMs = 1_700_000_000_000;
  tick(): number {
    this.nowMs += 1000;
    return this.nowMs;
  }
  now(): number {
    return this.nowMs;
  }
}

export interface DiskEntry {
  readonly kind: PlanKind;
  /** A file's bytes ('' for folders). */
  readonly content: string;
  readonly inode: number;
  readonly mtimeMs: number;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const isUnder = (path: string, folder: string) => path.startsWith(`${folder}/`);
/** Every ancestor of `path`, top first ('' excluded). */
function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent))
    result.unshift(parent);
  return result;
}

/** The synced folder on disk: path → entry. */
export class ModelDisk {
  readonly entries = new Map<string, DiskEntry>();
  private nextInode = 1;

  constructor(private readonly clock: ModelClock) {}

  stat(path: string): DiskEntry | undefined {
    return this.entries.get(path);
  }

  read(path: string): string {
    const entry = this.entries.get(path);
    if (entry === undefined) throw new ModelError('ENOENT', `read ${path}`);
    if (entry.kind !== 'file') throw new ModelError('EISDIR', `read ${path}`);
    return entry.content;
  }

  /** `mkdir -p`. */
  mkdir(path: string): void {
    for (const folder of [...ancestorsOf(path), path]) {
      const entry = this.entries.get(folder);
      if (entry?.kind === 'file') throw new ModelError('ENOTDIR', `mkdir ${path}`);
      if (entry === undefined) this.entries.set(folder, this.newEntry('folder', ''));
    }
  }

  /** The user (or an editor) writes a file: in place keeps the inode, a replace does not. */
  writeFile(path: string, content: string, replace = false): void {
    this.requireParent(path);
    const entry = this.entries.get(path);
    if (entry?.kind === 'folder') throw new ModelError('EISDIR', `write ${path}`);
    this.entries.set(
      path,
      entry === undefined || replace
        ? this.newEntry('file', content)
        : { ...entry, content, mtimeMs: this.clock.tick() },
    );
  }

  /** A finished temporary file renamed over `path` (a download): a new inode, the given mtime. */
  placeFile(path: string, content: string, mtimeMs: number): void {
    this.requireParent(path);
    if (this.entries.get(path)?.kind === 'folder') throw new ModelError('EISDIR', `rename ${path}`);
    this.entries.set(path, { ...this.newEntry('file', content), mtimeMs });
  }

  /** POSIX rename: a folder takes its subtree; a file replaces a file, a folder an empty one. */
  rename(from: string, to: string): void {
    const source = this.entries.get(from);
    if (source === undefined) throw new ModelError('ENOENT', `rename ${from}`);
    if (to === from) return;
    if (isUnder(to, from)) throw new ModelError('EINVAL', `rename ${from} into itself`);
    this.requireParent(to);
    const target = this.entries.get(to);
    if (target !== undefined) {
      if (source.kind !== target.kind) throw new ModelError('EISDIR', `rename ${from} ${to}`);
      if (target.kind === 'folder' && this.childrenOf(to).length > 0) {
        throw new ModelError('ENOTEMPTY', `rename ${from} ${to}`);
      }
      this.entries.delete(to);
    }
    const moving = [...this.entries].filter(([path]) => path === from || isUnder(path, from));
    for (const [path] of moving) this.entries.delete(path);
    for (const [path, entry] of moving) this.entries.set(to + path.slice(from.length), entry);
  }

  /** Gone already: nothing. */
  removeFile(path: string): void {
    const entry = this.entries.get(path);
    if (entry === undefined) return;
    if (entry.kind !== 'file') throw new ModelError('EISDIR', `unlink ${path}`);
    this.entries.delete(path);
  }

  /** An empty folder only (ENOTEMPTY otherwise); gone already: nothing. */
  removeFolder(path: string): void {
    const entry = this.entries.get(path);
    if (entry === undefined) return;
    if (entry.kind !== 'folder') throw new ModelError('ENOTDIR', `rmdir ${path}`);
    if (this.childrenOf(path).length > 0) throw new ModelError('ENOTEMPTY', `rmdir ${path}`);
    this.entries.delete(path);
  }

  /** `rm -r`, for the user's deletes. */
  removeTree(path: string): void {
    for (const other of [...this.entries.keys()]) {
      if (other === path || isUnder(other, path)) this.entries.delete(other);
    }
  }

  childrenOf(folder: string): string[] {
    return [...this.entries.keys()].filter((path) => parentOf(path) === folder);
  }

  private requireParent(path: string): void {
    const parent = parentOf(path);
    if (parent !== '' && this.entries.get(parent)?.kind !== 'folder') {
      throw new ModelError('ENOENT', `no folder ${parent}`);
    }
  }

  private newEntry(kind: PlanKind, content: string): DiskEntry {
    return { kind, content, inode: this.nextInode++, mtimeMs: this.clock.tick() };
  }
}

export interface ServerFile {
  readonly fileId: string;
  readonly kind: PlanKind;
  readonly path: string;
  readonly deleted: boolean;
  /** When it was deleted (journal position), to revive the last file deleted at a path. */
  readonly deletedAt?: number | undefined;
  readonly rev?: Rev | undefined;
  readonly content: string;
  readonly modifiedMs: number;
  /** A share's mount point (top level of the user's root, or wherever it was moved). */
  readonly mount?: { readonly role: 'viewer' | 'editor' } | undefined;
}

/** A change-journal entry (`GET /changes`), or a listing entry (kind never 'deleted'). */
export interface JournalEntry {
  readonly kind: PlanKind | 'deleted';
  readonly path: string;
  readonly fileId: string;
  readonly rev?: Rev | undefined;
  readonly contentHash?: string | undefined;
  readonly modifiedMs: number;
  readonly mount?: { readonly role: 'viewer' | 'editor' } | undefined;
}

/** Our device (bound by its role in shares) or anyone else (the share's owner, other devices). */
export type Actor = 'client' | 'other';

/** The server's content hash of some bytes (opaque; the model's contents are unique tokens). */
export const contentHashOf = (content: string) => `hash:${content}`;

export type ModelCommitResult =
  | { readonly kind: 'committed'; readonly file: ServerFile }
  | { readonly kind: 'rev_conflict'; readonly currentRev: Rev | null };

/** The reference server's file tree for one user (their root and one mounted share). */
export class ModelServer {
  private readonly files = new Map<string, ServerFile>();
  private readonly live = new Map<string, string>();
  private readonly versions = new Map<Rev, { fileId: string; content: string }>();
  readonly journal: JournalEntry[] = [];
  private nextFile = 1;
  private nextRev = 1;

  constructor(private readonly clock: ModelClock) {}

  at(path: string): ServerFile | undefined {
    const id = this.live.get(path);
    return id === undefined ? undefined : this.files.get(id);
  }

  /** Live entries ordered by path. */
  entries(): ServerFile[] {
    return [...this.live.values()]
      .map((id) => this.files.get(id)!)
      .sort((a, b) => compare(a.path, b.path));
  }

  /** Whether a proper ancestor of `path` is a share where the user is a viewer. */
  isInsideViewerShare(path: string): boolean {
    return ancestorsOf(path).some((folder) => this.at(folder)?.mount?.role === 'viewer');
  }

  /** The namespace a path lives in: the closest share above it, else the root. */
  namespaceOf(path: string): string {
    const mount = ancestorsOf(path)
      .reverse()
      .find((folder) => this.at(folder)?.mount !== undefined);
    return mount === undefined ? 'root' : this.at(mount)!.fileId;
  }

  private checkWrite(path: string, actor: Actor): void {
    if (actor === 'client' && this.isInsideViewerShare(path)) {
      throw new ModelError('forbidden', `${path} is in a folder shared with you as viewer`);
    }
  }

  /** POST /files/commit. @throws ModelError `forbidden`, `path_conflict`. */
  commit(
    input: { path: string; content: string; parentRev?: Rev | undefined; modifiedMs: number },
    actor: Actor,
  ): ModelCommitResult {
    const { path } = input;
    this.checkWrite(path, actor);
    const live = this.at(path);
    if (live?.kind === 'folder')
      throw new ModelError('path_conflict', `a folder exists at ${path}`);
    if (live !== undefined && input.parentRev !== live.rev) {
      return { kind: 'rev_conflict', currentRev: live.rev ?? null };
    }
    this.ensureAncestors(path);
    const fileId = live?.fileId ?? this.reviveOrCreate(path);
    const rev = `rev${this.nextRev++}` as Rev;
    this.versions.set(rev, { fileId, content: input.content });
    const file: ServerFile = {
      fileId,
      kind: 'file',
      path,
      deleted: false,
      rev,
      content: input.content,
      modifiedMs: input.modifiedMs,
    };
    this.setLive(file);
    this.appendEntry(file);
    return { kind: 'committed', file };
  }

  /** POST /files/mkdir: the folder and its missing parents; an existing folder is answered. */
  mkdir(path: string, actor: Actor): ServerFile {
    this.checkWrite(path, actor);
    const live = this.at(path);
    if (live?.kind === 'folder') return live;
    if (live !== undefined) throw new ModelError('path_conflict', `a file exists at ${path}`);
    this.ensureAncestors(path);
    return this.createFolder(path);
  }

  /** POST /files/delete: a file, or a folder with everything under it. */
  delete(path: string, actor: Actor): number {
    this.checkWrite(path, actor);
    const live = this.at(path);
    if (live === undefined) throw new ModelError('not_found', `${path} does not exist`);
    const doomed = [...this.liveUnder(path).reverse(), live];
    if (doomed.some((file) => file.mount !== undefined)) {
      throw new ModelError('path_conflict', `${path} contains a shared folder: unshare it first`);
    }
    for (const file of doomed) {
      this.live.delete(file.path);
      this.files.set(file.fileId, { ...file, deleted: true, deletedAt: this.journal.length });
      this.journal.push({ ...this.entryOf(file), kind: 'deleted' });
    }
    return doomed.length;
  }

  /** POST /files/move: file ids (and history) follow; a share moves only within the root. */
  move(from: string, to: string, actor: Actor): void {
    const live = this.at(from);
    if (live?.mount !== undefined) {
      if (this.namespaceOf(to) !== 'root') {
        throw new ModelError(
          'path_conflict',
          'a shared folder can only move within your own folders',
        );
      }
    } else {
      this.checkWrite(from, actor);
      this.checkWrite(to, actor);
      if (this.namespaceOf(from) !== this.namespaceOf(to)) {
        throw new ModelError('path_conflict', 'cannot move into or out of a shared folder');
      }
    }
    if (live === undefined) throw new ModelError('not_found', `${from} does not exist`);
    if (from === to || isUnder(to, from)) {
      throw new ModelError('path_conflict', `cannot move ${from} to ${to}`);
    }
    if (this.at(to) !== undefined) throw new ModelError('path_conflict', `${to} already exists`);
    this.ensureAncestors(to);
    const moving = [live, ...this.liveUnder(from)];
    for (const file of moving) this.live.delete(file.path);
    const moved = moving.map((file) => ({ ...file, path: to + file.path.slice(from.length) }));
    for (const file of moved) this.setLive(file);
    for (const file of moved) this.appendEntry(file);
    for (const file of [...moving].reverse())
      this.journal.push({ ...this.entryOf(file), kind: 'deleted' });
  }

  /** GET /files/download?path&rev: a revision of a file that lives (or was deleted) at path. */
  download(path: string, rev: Rev): string {
    const version = this.versions.get(rev);
    const file = version === undefined ? undefined : this.files.get(version.fileId);
    if (version === undefined || file === undefined || file.path !== path) {
      throw new ModelError('not_found', `${path} has no revision ${rev}`);
    }
    return version.content;
  }

  /** Whether some version, live or in a file's history, has this content. */
  hasVersionWith(content: string): boolean {
    return [...this.versions.values()].some((version) => version.content === content);
  }

  /** GET /files/list?recursive: every live entry, as listing entries. */
  listing(): JournalEntry[] {
    return this.entries().map((file) => this.entryOf(file));
  }

  /** A share mounted in the user's root (set up by the test, as POST /shares would). */
  mountShare(path: string, role: 'viewer' | 'editor'): void {
    this.ensureAncestors(path);
    this.createFolder(path, { role });
  }

  private liveUnder(folder: string): ServerFile[] {
    return this.entries().filter((file) => isUnder(file.path, folder));
  }

  private ensureAncestors(path: string): void {
    for (const folder of ancestorsOf(path)) {
      const entry = this.at(folder);
      if (entry?.kind === 'file') throw new ModelError('path_conflict', `${folder} is a file`);
      if (entry === undefined) this.createFolder(folder);
    }
  }

  private createFolder(path: string, mount?: ServerFile['mount']): ServerFile {
    const folder: ServerFile = {
      fileId: `file${this.nextFile++}`,
      kind: 'folder',
      path,
      deleted: false,
      content: '',
      modifiedMs: this.clock.tick(),
      ...(mount === undefined ? {} : { mount }),
    };
    this.setLive(folder);
    this.appendEntry(folder);
    return folder;
  }

  /** The file last deleted at `path` comes back (its history with it), else a new one. */
  private reviveOrCreate(path: string): string {
    let last: ServerFile | undefined;
    for (const file of this.files.values()) {
      if (!file.deleted || file.kind !== 'file' || file.path !== path) continue;
      if (last === undefined || (file.deletedAt ?? 0) > (last.deletedAt ?? 0)) last = file;
    }
    return last?.fileId ?? `file${this.nextFile++}`;
  }

  private setLive(file: ServerFile): void {
    this.files.set(file.fileId, { ...file, deleted: false, deletedAt: undefined });
    this.live.set(file.path, file.fileId);
  }

  private appendEntry(file: ServerFile): void {
    this.journal.push(this.entryOf(file));
  }

  private entryOf(file: ServerFile): JournalEntry {
    return {
      kind: file.kind,
      path: file.path,
      fileId: file.fileId,
      rev: file.rev,
      contentHash: file.kind === 'file' ? contentHashOf(file.content) : undefined,
      modifiedMs: file.modifiedMs,
      ...(file.mount === undefined ? {} : { mount: file.mount }),
    };
  }
}
