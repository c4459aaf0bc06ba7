/**
 * Reproducible file contents from a seed: the AES-256-CTR keystream of a key derived from the
 * seed (fast and the same on every run), as raw bytes or as printable text. Large files are
 * streamed to disk in 1 MiB slices, hashed on the way, so the test's memory stays low.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

const SLICE_BYTES = 1 << 20;

function keystream(seed: string): (sizeBytes: number) => Buffer {
  const key = createHash('sha256').update(`ferry-e2e:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (sizeBytes) => cipher.update(Buffer.alloc(sizeBytes));
}

/** `sizeBytes` seeded bytes (for small contents). */
export function seededBytes(seed: string, sizeBytes: number): Buffer {
  return keystream(seed)(sizeBytes);
}

/** `sizeChars` of seeded printable ASCII (base64url), ending with a newline when long enough. */
export function seededText(seed: string, sizeChars: number): string {
  const text = seededBytes(seed, Math.ceil((sizeChars * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, sizeChars);
  return sizeChars > 1 ? `${text.slice(0, -1)}\n` : text;
}

/**
 * Writes `sizeBytes` seeded bytes to `file`, streamed, and returns their SHA-256 (hex): the
 * file is never read back to learn it.
 */
export async function writeSeededFile(
  file: string,
  seed: string,
  sizeBytes: number,
): Promise<string> {
  const next = keystream(seed);
  const hash = createHash('sha256');
  async function* slices(): AsyncGenerator<Buffer> {
    for (let done = 0; done < sizeBytes;) {
      const slice = next(Math.min(SLICE_BYTES, sizeBytes - done));
      hash.update(slice);
      done += slice.length;
      yield slice;
    }
  }
  await pipeline(slices, createWriteStream(file));
  return hash.digest('hex');
}
