/**
 * Files dropped on the window, copied into the synced folder (EngineControl.importFile): the
 * bytes stream into a temporary file in the engine's scratch folder, are flushed, then renamed
 * into place under the first free name (`a.txt`, `a (2).txt`, …) without ever replacing a file,
 * and the engine is woken to sync at once. Bounded memory: one chunk at a time.
 */
import type { FileSystem } from '../ports.js';
import { ControlError, type ImportContent, type ImportedFile } from './contract.js';

/** What an import needs of the engine. */
export interface FileImportOptions {
  readonly fs: Pick<FileSystem, 'createFile' | 'renameNoReplace' | 'mkdir' | 'removeFile' | 'stat'>;
  /** The engine's scratch folder (on the synced folder's file system, so rename is atomic). */
  readonly tempFolder: string;
  /** A name for a temporary file, unique among concurrent imports. */
  readonly tempName: () => string;
  /** Called after each import, to sync it now. */
  readonly onImported: (path: string) => void;
}

/** Free names tried before giving up. */
const MAX_NAME_TRIES = 1000;

/** `/docs/a.txt`, 2 → `/docs/a (2).txt`; a leading dot is part of the name, not an extension. */
export function numberedPath(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${path.slice(0, slash + 1)}${stem} (${n})${ext}`;
}

/**
 * Refuses a path whose folders are not all real folders of the synced folder (or missing, to be
 * made): a symbolic link there would take the file outside the folder, and a file there cannot
 * hold one. Checked again right before the rename, after the folders were made.
 */
async function checkParents(fs: Pick<FileSystem, 'stat'>, path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  let at = '';
  for (const part of parts) {
    at += `/${part}`;
    const stat = await fs.stat(at);
    if (stat === undefined) return;
    if (stat.kind !== 'folder') {
      const what = stat.kind === 'symlink' ? 'a symbolic link' : 'not a folder';
      throw new ControlError('invalid_request', `cannot add ${path}: ${at} is ${what}`);
    }
  }
}

/** The sentence for a disk refusal the person can act on; undefined for the unexpected. */
function refusalOf(path: string, error: unknown): ControlError | undefined {
  switch ((error as { code?: unknown }).code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return new ControlError(
        'invalid_request',
        `cannot add ${path}: a folder on its way is a file`,
      );
    case 'ENAMETOOLONG':
      return new ControlError('invalid_request', `cannot add ${path}: the name is too long here`);
    case 'ENOSPC':
      return new ControlError('invalid_request', `cannot add ${path}: the disk is full`);
    default:
      return undefined;
  }
}

export function createFileImport(options: FileImportOptions) {
  const { fs } = options;
  return async (path: string, content: ImportContent): Promise<ImportedFile> => {
    await checkParents(fs, path);
    await fs.mkdir(options.tempFolder);
    const temp = `${options.tempFolder}/${options.tempName()}`;
    let sizeBytes = 0;
    const writer = await fs.createFile(temp);
    try {
      try {
        const chunks: AsyncIterable<Uint8Array> =
          Symbol.asyncIterator in content
            ? content
            : (content.stream() as unknown as AsyncIterable<Uint8Array>);
        for await (const chunk of chunks) {
          await writer.write(chunk);
          sizeBytes += chunk.byteLength;
        }
        await writer.sync();
      } finally {
        await writer.close();
      }
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      await checkParents(fs, path);
      await fs.mkdir(parent).catch((error: unknown) => {
        throw refusalOf(path, error) ?? error;
      });
      await checkParents(fs, path);
      for (let n = 1; n <= MAX_NAME_TRIES; n += 1) {
        const candidate = n === 1 ? path : numberedPath(path, n);
        try {
          await fs.renameNoReplace(temp, candidate);
          options.onImported(candidate);
          return { path: candidate, sizeBytes };
        } catch (error) {
          if ((error as { code?: unknown }).code === 'EEXIST') continue;
          throw refusalOf(candidate, error) ?? error;
        }
      }
      throw new ControlError(
        'invalid_request',
        `${path} and ${MAX_NAME_TRIES} numbered names are taken`,
      );
    } catch (error) {
      await fs.removeFile(temp).catch(() => false);
      throw error;
    }
  };
}
