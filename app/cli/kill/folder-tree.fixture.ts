/**
 * What the kill tests look at on disk: a synced folder's files by content hash (everything
 * outside the hidden `.ferry` folder, which is where a download's temporary file may be),
 * seeded incompressible content, in-place edits, and waiting on a condition.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const MIB = 1024 * 1024;

/** Path (`/`-rooted, as the server names it) → SHA-256 (hex) of the file's bytes. */
export type Tree = Record<string, string>;

/** SHA-256 (hex) of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sizeBytes` pseudo-random, incompressible bytes, the same for the same seed (AES-CTR). */
export function seededBytes(seed: string, sizeBytes: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(sizeBytes)), cipher.final()]);
}

/**
 * Every file of `folder` outside `.ferry/` (folders are listed as `…/` with an empty hash, so
 * a stray empty folder shows too). Symlinks and other entries would show as `?type`.
 */
export async function readTree(folder: string): Promise<Tree> {
  const tree: Tree = {};
  const walk = async (relative: string) => {
    const entries = await readdir(path.join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (child === '/.ferry') continue;
      if (entry.isDirectory()) {
        tree[`${child}/`] = '';
        await walk(child);
      } else if (entry.isFile()) {
        tree[child] = sha256(await readFile(path.join(folder, child)));
      } else {
        tree[child] = '?type';
      }
    }
  };
  await walk('');
  return tree;
}

/** The names and sizes of the files in the folder's `.ferry/tmp` (none when it is absent). */
export async function tempFiles(folder: string): Promise<{ name: string; sizeBytes: number }[]> {
  const tmp = path.join(folder, '.ferry', 'tmp');
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(
    names.map(async (name) => ({ name, sizeBytes: (await stat(path.join(tmp, name))).size })),
  );
}

/** Overwrites `bytes.length` bytes of the file at `offsetBytes`, in place (same inode). */
export async function overwriteAt(file: string, offsetBytes: number, bytes: Uint8Array) {
  const handle = await open(file, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offsetBytes);
  } finally {
    await handle.close();
  }
}

/** Resolves once `check()` is true; polls every `intervalMs`; fails after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
