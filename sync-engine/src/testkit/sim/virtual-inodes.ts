/**
 * Inode numbers the simulation controls. The real ones depend on what else the machine does
 * (ext4 hands a freed number to the next new file), so a replayed seed could see a move where
 * the first run saw a delete and an add. Here a file's number is given the first time it is
 * seen, freed when the file is deleted or replaced, and a new file sometimes gets a recently
 * freed number (as ext4 does), drawn from the seed: inode reuse is simulated, reproducibly.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Numbers are given when an entry is created (`created`), as a file system does, so a file made
 * before another was deleted can never get the deleted one's number; `virtualOf` gives one to
 * anything not seen before (the first look at a folder the simulation did not create).
 */

/** The real identity of a file: inode and birth time (a reused inode is born later). */
export async function realIdentityOf(osPath: string): Promise<string | undefined> {
  try {
    const stats = await lstat(osPath, { bigint: true });
    return `${stats.ino}:${stats.birthtimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class VirtualInodes {
  private readonly byReal = new Map<string, string>();
  private readonly freed: string[] = [];
  private next = 1000;

  /**
   * @param random the device's seeded random
   * @param reuseRate the chance that a new file gets a freed number
   */
  constructor(
    private readonly random: () => number,
    private readonly reuseRate: number,
  ) {}

  /** The virtual inode of the file whose real identity is `real`. */
  virtualOf(real: string): string {
    let virtual = this.byReal.get(real);
    if (virtual === undefined) {
      if (this.freed.length > 0 && this.random() < this.reuseRate) {
        virtual = this.freed.splice(Math.floor(this.random() * this.freed.length), 1)[0]!;
      } else {
        virtual = String((this.next += 1));
      }
      this.byReal.set(real, virtual);
    }
    return virtual;
  }

  /** The file `real` is gone: its number may be handed out again. */
  forget(real: string | undefined): void {
    if (real === undefined) return;
    const virtual = this.byReal.get(real);
    if (virtual === undefined) return;
    this.byReal.delete(real);
    this.freed.push(virtual);
    if (this.freed.length > 8) this.freed.shift();
  }

  /** The entry at `osPath` was just created: it gets its number now. */
  async created(osPath: string): Promise<void> {
    const real = await realIdentityOf(osPath);
    if (real !== undefined) this.virtualOf(real);
  }

  /** Forgets the entry at `osPath` and, for a folder, everything under it (before removing it). */
  async forgetTree(osPath: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(osPath, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR' && code !== 'ENOENT') throw error;
      entries = [];
    }
    for (const entry of entries) await this.forgetTree(path.join(osPath, entry.name));
    this.forget(await realIdentityOf(osPath));
  }
}
