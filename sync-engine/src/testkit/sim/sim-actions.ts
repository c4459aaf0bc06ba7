/**
 * What the simulated users do to their folders, straight on the real disk as a person or an
 * editor would: create, edit (in place, or "save as temp and rename over"), touch, delete,
 * rename and move files; create, delete, rename and move folders (empty or not). Every change of
 * content goes through the model with what that user's disk held just before. File mtimes come
 * from the simulation's clock, so a replay sees the same ones.
 */
import { lstat, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimModel } from './model.js';
import type { SimClock } from './sim-clock.js';
import type { SimDevice } from './sim-device.js';
import type { SimRandom } from './sim-random.js';
import { realIdentityOf } from './virtual-inodes.js';

export const USER_ACTION_WEIGHTS = {
  create_file: 14,
  edit_file: 12,
  save_over: 4,
  touch_file: 2,
  delete_file: 6,
  rename_file: 4,
  move_file: 4,
  move_over: 2,
  create_folder: 5,
  delete_folder: 3,
  rename_folder: 3,
  move_folder: 3,
} as const;

export type UserActionKind = keyof typeof USER_ACTION_WEIGHTS;

export interface UserActionContext {
  readonly device: SimDevice;
  readonly model: SimModel;
  readonly random: SimRandom;
  readonly clock: SimClock;
  readonly seed: number;
  /** Who and when, for the model's messages: `B step 12`. */
  readonly origin: string;
}

const FILE_NAMES = ['a.txt', 'b.txt', 'notes.md', 'c', 'report.doc', 'data.bin', 'Ünï.txt'];
const FOLDER_NAMES = ['x', 'y', 'docs', 'photos', 'sub'];
const MAX_DEPTH = 3;

interface Listing {
  readonly files: string[];
  /** Folders, without the root. */
  readonly folders: string[];
}

async function listFolder(root: string): Promise<Listing> {
  const listing: Listing = { files: [], folders: [] };
  async function walk(prefix: string): Promise<void> {
    const entries = await readdir(path.join(root, prefix), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = `${prefix}/${entry.name}`;
      if (relative === '/.ferry') continue;
      if (entry.isDirectory()) {
        listing.folders.push(relative);
        await walk(relative);
      } else {
        listing.files.push(relative);
      }
    }
  }
  await walk('');
  return listing;
}

const depthOf = (treePath: string) => treePath.split('/').length - 1;
const parentOf = (treePath: string) => treePath.slice(0, treePath.lastIndexOf('/'));
const nameOf = (treePath: string) => treePath.slice(treePath.lastIndexOf('/') + 1);

async function exists(osPath: string): Promise<boolean> {
  try {
    await lstat(osPath);
    return true;
  } catch {
    return false;
  }
}

class UserAction {
  private listing!: Listing;

  constructor(private readonly context: UserActionContext) {}

  private os(treePath: string): string {
    return path.join(this.context.device.folder, ...treePath.split('/').filter((s) => s !== ''));
  }

  async load(): Promise<void> {
    this.listing = await listFolder(this.context.device.folder);
  }

  /** A name from `names` free in `folder`, or a numbered one when all are taken. */
  private async freePath(folder: string, names: readonly string[]): Promise<string> {
    const { random } = this.context;
    const first = random.int(0, names.length - 1);
    for (let i = 0; i < names.length; i += 1) {
      const candidate = `${folder}/${names[(first + i) % names.length]}`;
      if (!(await exists(this.os(candidate)))) return candidate;
    }
    for (let n = 2; ; n += 1) {
      const candidate = `${folder}/${names[first]} ${n}`;
      if (!(await exists(this.os(candidate)))) return candidate;
    }
  }

  private folderForNewEntry(maxDepth: number): string {
    const options = ['', ...this.listing.folders.filter((f) => depthOf(f) < maxDepth)];
    return this.context.random.pick(options);
  }

  private sizeBytes(): number {
    const { random } = this.context;
    const roll = random.float();
    if (roll < 0.85) return random.int(0, 3000);
    if (roll < 0.97) return random.int(3_000, 200_000);
    return random.int(1_100_000, 2_600_000);
  }

  private async writeNewVersion(osPath: string): Promise<string> {
    const { model, clock, seed, origin } = this.context;
    const version = model.createVersion({ origin, sizeBytes: this.sizeBytes(), seed });
    await writeFile(osPath, version.bytes);
    await this.context.device.inodes.created(osPath);
    const time = new Date(clock.nowMs());
    await utimes(osPath, time, time);
    return `v${version.id} (${version.bytes.length} B)`;
  }

  private forget = async (treePath: string) =>
    this.context.device.inodes.forget(await realIdentityOf(this.os(treePath)));

  async run(kind: UserActionKind): Promise<string | undefined> {
    const { random, model, origin } = this.context;
    const { files, folders } = this.listing;
    switch (kind) {
      case 'create_file': {
        const target = await this.freePath(this.folderForNewEntry(MAX_DEPTH), FILE_NAMES);
        return `create ${target} ${await this.writeNewVersion(this.os(target))}`;
      }
      case 'edit_file':
      case 'save_over': {
        if (files.length === 0) return undefined;
        const target = random.pick(files);
        model.supersede(await readFile(this.os(target)), origin);
        if (kind === 'edit_file') {
          return `edit ${target} ${await this.writeNewVersion(this.os(target))}`;
        }
        const temp = `${target}.tmp`;
        const written = await this.writeNewVersion(this.os(temp));
        await this.forget(target);
        await rename(this.os(temp), this.os(target));
        return `save over ${target} ${written}`;
      }
      case 'touch_file': {
        if (files.length === 0) return undefined;
        const target = random.pick(files);
        const time = new Date(this.context.clock.nowMs());
        await utimes(this.os(target), time, time);
        return `touch ${target}`;
      }
      case 'delete_file': {
        if (files.length === 0) return undefined;
        const target = random.pick(files);
        model.delete(await readFile(this.os(target)), origin);
        await this.forget(target);
        await rm(this.os(target));
        return `delete ${target}`;
      }
      case 'rename_file':
      case 'move_file': {
        if (files.length === 0) return undefined;
        const source = random.pick(files);
        const folder =
          kind === 'rename_file' ? parentOf(source) : this.folderForNewEntry(MAX_DEPTH);
        const names = kind === 'rename_file' ? FILE_NAMES : [nameOf(source), ...FILE_NAMES];
        const target = await this.freePath(folder, names);
        await rename(this.os(source), this.os(target));
        return `${kind === 'rename_file' ? 'rename' : 'move'} ${source} → ${target}`;
      }
      case 'move_over': {
        if (files.length < 2) return undefined;
        const source = random.pick(files);
        const target = random.pick(files.filter((f) => f !== source));
        model.delete(await readFile(this.os(target)), origin);
        await this.forget(target);
        await rename(this.os(source), this.os(target));
        return `move ${source} over ${target}`;
      }
      case 'create_folder': {
        const target = await this.freePath(this.folderForNewEntry(MAX_DEPTH - 1), FOLDER_NAMES);
        await mkdir(this.os(target));
        await this.context.device.inodes.created(this.os(target));
        return `mkdir ${target}`;
      }
      case 'delete_folder': {
        if (folders.length === 0) return undefined;
        const target = random.pick(folders);
        const inside = files.filter((f) => f.startsWith(`${target}/`));
        for (const file of inside) model.delete(await readFile(this.os(file)), origin);
        await this.context.device.inodes.forgetTree(this.os(target));
        await rm(this.os(target), { recursive: true });
        return `delete folder ${target} (${inside.length} files)`;
      }
      case 'rename_folder':
      case 'move_folder': {
        if (folders.length === 0) return undefined;
        const source = random.pick(folders);
        const height = Math.max(
          0,
          ...folders
            .filter((f) => f.startsWith(`${source}/`))
            .map((f) => depthOf(f) - depthOf(source)),
        );
        const parents =
          kind === 'rename_folder'
            ? [parentOf(source)]
            : ['', ...folders].filter(
                (f) =>
                  f !== source &&
                  !f.startsWith(`${source}/`) &&
                  depthOf(f) + 1 + height <= MAX_DEPTH,
              );
        if (parents.length === 0) return undefined;
        const target = await this.freePath(random.pick(parents), FOLDER_NAMES);
        await rename(this.os(source), this.os(target));
        return `${kind === 'rename_folder' ? 'rename folder' : 'move folder'} ${source} → ${target}`;
      }
    }
  }
}

/**
 * Does one random thing of `kind` to the device's folder; returns what, for the log, or
 * undefined when the folder has nothing to do it to (no file to edit).
 */
export async function runUserAction(
  kind: UserActionKind,
  context: UserActionContext,
): Promise<string | undefined> {
  const action = new UserAction(context);
  await action.load();
  return action.run(kind);
}
