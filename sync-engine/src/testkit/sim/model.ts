/**
 * What the simulation expects of the engine, by content. Every file the simulation writes has a
 * unique first line (`ferry-sim v17 …`), so a version is recognised wherever it ends up: at its
 * path, moved, or in a conflicted copy. The model records what each device's user did to the
 * version its own disk held at that moment, which is exactly what that device had seen:
 *
 * - replaced by an edit (in place, "save as temp and rename over", a move over it): superseded;
 * - deleted (the file, or a folder holding it): deleted with knowledge of that version;
 * - neither: live.
 *
 * After healing, every live version must be in every tree (no lost edit: a concurrent delete by
 * a device that had not seen it does not count), and no version a device deleted may be in any
 * (no zombie: an edit made elsewhere meanwhile is another version, and survives instead).
 */
import { seededBytes } from '../seeded-data.js';
import type { DiskTree } from './disk-tree.js';

export interface Version {
  readonly id: number;
  readonly bytes: Buffer;
  /** Who wrote it where, for messages: `B step 12 /x/a.txt`. */
  readonly origin: string;
  supersededBy?: string;
  deletedBy?: string;
}

const HEADER = /^ferry-sim v(\d+) /;

export class SimModel {
  private readonly versions = new Map<number, Version>();

  /** A new version's bytes: the unique header line, then seeded text of `sizeBytes`. */
  createVersion(options: {
    readonly origin: string;
    readonly sizeBytes: number;
    readonly seed: number;
  }): Version {
    const id = this.versions.size + 1;
    const header = Buffer.from(`ferry-sim v${id} ${options.origin}\n`, 'utf8');
    const body = seededBytes('text', options.seed * 100_003 + id, options.sizeBytes);
    const version: Version = {
      id,
      bytes: Buffer.concat([header, body]),
      origin: options.origin,
    };
    this.versions.set(id, version);
    return version;
  }

  /** The version whose bytes these are, or undefined (not written by the simulation, or torn). */
  versionOf(bytes: Buffer): Version | undefined {
    const match = HEADER.exec(bytes.subarray(0, 64).toString('utf8'));
    const version = match === null ? undefined : this.versions.get(Number(match[1]));
    return version !== undefined && version.bytes.equals(bytes) ? version : undefined;
  }

  /** A user replaced the file holding `bytes` (as read from their disk just before). */
  supersede(bytes: Buffer, by: string): void {
    const version = this.versionOf(bytes);
    if (version !== undefined) version.supersededBy ??= by;
  }

  /** A user deleted the file holding `bytes` (as read from their disk just before). */
  delete(bytes: Buffer, by: string): void {
    const version = this.versionOf(bytes);
    if (version !== undefined) version.deletedBy ??= by;
  }

  describe(id: number): string {
    const version = this.versions.get(id);
    if (version === undefined) return `v${id}`;
    const fate = [
      version.supersededBy === undefined ? '' : `, replaced by ${version.supersededBy}`,
      version.deletedBy === undefined ? '' : `, deleted by ${version.deletedBy}`,
    ].join('');
    return `v${id} (${version.origin}${fate})`;
  }

  /** Every way `tree` (device `name`'s healed folder) breaks the model; empty when none. */
  check(name: string, tree: DiskTree): string[] {
    const problems: string[] = [];
    const where = new Map<number, string[]>();
    for (const [path, entry] of tree) {
      if (entry.kind !== 'file') continue;
      const version = this.versionOf(entry.bytes);
      if (version === undefined) {
        const start = entry.bytes.subarray(0, 40).toString('utf8').split('\n')[0];
        problems.push(
          `${name}: ${path} holds bytes the simulation never wrote (${entry.bytes.length} B, "${start}")`,
        );
        continue;
      }
      where.set(version.id, [...(where.get(version.id) ?? []), path]);
    }
    for (const version of this.versions.values()) {
      const paths = where.get(version.id) ?? [];
      if (version.deletedBy !== undefined && paths.length > 0) {
        problems.push(
          `${name}: zombie: ${this.describe(version.id)} is back at ${paths.join(', ')}`,
        );
      } else if (version.supersededBy === undefined && version.deletedBy === undefined) {
        if (paths.length === 0) problems.push(`${name}: lost edit: ${this.describe(version.id)}`);
      }
      if (paths.length > 1) {
        problems.push(`${name}: ${this.describe(version.id)} is duplicated: ${paths.join(', ')}`);
      }
    }
    return problems;
  }
}
