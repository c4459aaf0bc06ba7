/**
 * Fingerprints a file through the FileSystem port (streamed, so a large file is never in memory):
 * the `fingerprint` function the scanner takes.
 */
import { createFingerprinter } from '../blocks/index.js';
import type { FileSystem } from '../ports.js';

/** `(diskPath, signal) => xxHash64 hex` over `fs`. */
export function fingerprintThrough(fs: FileSystem) {
  return async (diskPath: string, signal?: AbortSignal): Promise<string> => {
    const fingerprinter = await createFingerprinter();
    for await (const chunk of fs.readFile(diskPath, signal)) fingerprinter.update(chunk);
    return fingerprinter.digest();
  };
}
