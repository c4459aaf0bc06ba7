/**
 * The FileSystem of a simulated device: the real adapter on a real folder, with every call
 * through the device's PortGate (so a crash stops the engine at any disk step: between a
 * download's write and its rename, after a rename before its record), inode numbers from
 * VirtualInodes, so a replayed seed sees the same numbers, and, while the disk is in trouble,
 * reads that fail with EIO and writes of new files that fail with ENOSPC at random.
 */
import path from 'node:path';
import { createNodeFileSystem } from '../../disk/node-file-system.js';
import type { FileSystem, FileWriter } from '../../ports.js';
import type { PortGate } from './port-gate.js';
import { realIdentityOf, type VirtualInodes } from './virtual-inodes.js';

/** The switches of one device's disk. */
export interface DiskConditions {
  /** Chance that a read (stat, readDir, readFile) or a new file fails (0 when the disk is fine). */
  failureRate: number;
}

function diskError(code: 'EIO' | 'ENOSPC', call: string, treePath: string): Error {
  return Object.assign(new Error(`${code}: ${call} ${treePath} (simulated)`), { code });
}

export function createSimFileSystem(options: {
  readonly root: string;
  readonly gate: PortGate;
  readonly inodes: VirtualInodes;
  readonly disk: DiskConditions;
  /** The device's own seeded random for disk faults. */
  readonly random: () => number;
  readonly log?: (line: string) => void;
}): FileSystem {
  const { root, gate, inodes, disk, random, log } = options;
  /** Throws the simulated fault of this call, if the dice say so. */
  const mayFail = (code: 'EIO' | 'ENOSPC', call: string, treePath: string) => {
    if (disk.failureRate > 0 && random() < disk.failureRate) {
      log?.(`fault: ${call} ${treePath} failed with ${code}`);
      throw diskError(code, call, treePath);
    }
  };
  const real = createNodeFileSystem(root);
  const osPath = (treePath: string) =>
    path.join(root, ...treePath.split('/').filter((s) => s !== ''));

  async function gated<T>(call: string, run: () => Promise<T>): Promise<T> {
    await gate.before(call);
    const result = await run();
    await gate.after(call);
    return result;
  }

  async function* gatedRead(
    call: string,
    source: () => AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    await gate.before(call);
    for await (const chunk of source()) {
      gate.check(call);
      yield chunk;
    }
    await gate.after(call);
  }

  const gatedWriter = (writer: FileWriter): FileWriter => ({
    write: (bytes) => gated('fs.write', () => writer.write(bytes)),
    sync: () => gated('fs.sync', () => writer.sync()),
    // Closing never fails for the crash: a dead process's descriptors are closed by the OS.
    close: () => writer.close(),
  });

  return {
    stat: (treePath, signal) =>
      gated('fs.stat', async () => {
        mayFail('EIO', 'stat', treePath);
        const stat = await real.stat(treePath, signal);
        if (stat === undefined) return undefined;
        const identity = await realIdentityOf(osPath(treePath));
        if (identity === undefined) return undefined;
        return { ...stat, inode: inodes.virtualOf(identity) };
      }),
    readDir: (treePath, signal) =>
      gated('fs.readDir', async () => {
        mayFail('EIO', 'readDir', treePath);
        return real.readDir(treePath, signal);
      }),
    readFile: (treePath, signal) =>
      gatedRead('fs.readFile', () => {
        mayFail('EIO', 'readFile', treePath);
        return real.readFile(treePath, signal);
      }),
    readRange: (treePath, offset, length, signal, into) =>
      gated('fs.readRange', () => real.readRange(treePath, offset, length, signal, into)),
    createFile: async (treePath) => {
      await gate.before('fs.createFile');
      mayFail('ENOSPC', 'createFile', treePath);
      const writer = await real.createFile(treePath);
      try {
        await inodes.created(osPath(treePath));
        await gate.after('fs.createFile');
      } catch (error) {
        // The crashed engine never gets the writer: close it as the dead process's OS would.
        await writer.close();
        throw error;
      }
      return gatedWriter(writer);
    },
    rename: (from, to) =>
      gated('fs.rename', async () => {
        const replaced = await realIdentityOf(osPath(to));
        await real.rename(from, to);
        inodes.forget(replaced);
      }),
    renameNoReplace: (from, to) =>
      gated('fs.rename', async () => {
        await real.renameNoReplace(from, to);
      }),
    mkdir: (treePath) =>
      gated('fs.mkdir', async () => {
        await real.mkdir(treePath);
        const segments = treePath.split('/').filter((s) => s !== '');
        for (let i = 1; i <= segments.length; i += 1) {
          await inodes.created(path.join(root, ...segments.slice(0, i)));
        }
      }),
    removeFile: (treePath) =>
      gated('fs.removeFile', async () => {
        const gone = await realIdentityOf(osPath(treePath));
        const removed = await real.removeFile(treePath);
        inodes.forget(gone);
        return removed;
      }),
    removeFolder: (treePath) =>
      gated('fs.removeFolder', async () => {
        const gone = await realIdentityOf(osPath(treePath));
        const removed = await real.removeFolder(treePath);
        inodes.forget(gone);
        return removed;
      }),
    removeTree: (treePath) =>
      gated('fs.removeTree', async () => {
        await inodes.forgetTree(osPath(treePath));
        await real.removeTree(treePath);
      }),
    setMtime: (treePath, mtimeMs) => gated('fs.setMtime', () => real.setMtime(treePath, mtimeMs)),
  };
}
