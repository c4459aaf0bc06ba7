/**
 * A zip archive streamed entry by entry (GET /files/download_zip), on fflate's streaming Zip:
 * each file's plaintext is pushed through as it is decoded and the archive's bytes go out as they
 * are made, waiting for the client whenever it reads slower than the server decodes. Memory stays
 * at about one block whatever the folder's size. Entries are stored, not deflated: deflating on
 * the server's event loop would stall every other request for the length of the archive, and the
 * blocks were already compressed for the wire where that paid.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';

/** One entry of the archive. */
export interface ZipEntry {
  /** `Team/docs/a.txt`; a folder's ends with `/`. */
  readonly name: string;
  readonly modifiedMs: number;
  /** The file's bytes; undefined for a folder or an empty file. */
  readonly open?: () => AsyncIterable<Uint8Array>;
}

/**
 * What the zip format without its 64-bit extension holds (fflate writes no ZIP64): entries, and
 * offsets, so the whole archive, under 4 GiB. An entry costs its bytes, a 30-byte local header,
 * a 16-byte data descriptor (a streamed entry's sizes come after it) and a 46-byte
 * central-directory record, both headers with the name.
 */
export const ZIP_LIMITS = { entries: 65_535, archiveBytes: 0xffff_ffff - 22 } as const;

/** The archive's size for entries of these name lengths (UTF-8 bytes) and sizes. */
export function zipArchiveBytes(
  entries: readonly { nameBytes: number; sizeBytes: number }[],
): number {
  return entries.reduce((sum, e) => sum + e.sizeBytes + 30 + 16 + 46 + 2 * e.nameBytes, 22);
}

/** The archive of `entries`, as a stream; a failure mid-way destroys the stream with it. */
export function streamZip(entries: AsyncIterable<ZipEntry>): Readable {
  const out = new PassThrough();
  const zip = new Zip((error, chunk, final) => {
    if (error) {
      out.destroy(error);
      return;
    }
    out.write(chunk);
    if (final) out.end();
  });
  const drained = async (): Promise<void> => {
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  void (async () => {
    for await (const entry of entries) {
      if (out.destroyed) return;
      const file = new ZipPassThrough(entry.name);
      // DOS time in the archive: local time, 1980 at the earliest.
      file.mtime = new Date(Math.max(entry.modifiedMs, Date.UTC(1980, 0, 2)));
      zip.add(file);
      if (entry.open !== undefined) {
        for await (const chunk of entry.open()) {
          if (out.destroyed) return;
          file.push(chunk);
          await drained();
        }
      }
      file.push(new Uint8Array(0), true);
      await drained();
    }
    zip.end();
  })().catch((error: unknown) => {
    zip.terminate();
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}
