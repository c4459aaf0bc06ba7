import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createSeededUint32 } from './seeded-random.js';

/**
 * Reproducible test and benchmark data: pseudo-random bytes and realistic mixed text, both from a
 * seed, so a failing test or a benchmark figure can be reproduced exactly. Test harness only.
 */
export type SeededDataKind = 'random' | 'text';

/** Random bytes: AES-256-CTR keystream keyed by the seed (fast: ~1 GB/s, and reproducible). */
function createRandomFiller(seed: number): (out: Uint8Array) => void {
  const key = createHash('sha256').update(`ferry-seeded-data:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (out) => {
    // Encrypting zeros in slices keeps the temporary buffers small.
    for (let at = 0; at < out.length; at += 1 << 20) {
      const end = Math.min(out.length, at + (1 << 20));
      out.set(cipher.update(out.subarray(at, end).fill(0)), at);
    }
  };
}

const SYLLABLES =
  'ka,ro,mi,te,sun,la,ve,dor,pi,an,el,qu,is,tor,ba,ne,xo,fa,gri,um,op,le,st,ch'.split(',');

/**
 * Text that compresses like real documents and logs (DEFLATE level 1 keeps ~40%): prose with a
 * Zipf-like word distribution, log lines with timestamps and ids, and code-like lines.
 */
function createTextFiller(seed: number): (out: Uint8Array) => void {
  const next = createSeededUint32(seed);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const vocabulary: string[] = [];
  for (let i = 0; i < 6000; i++) {
    let word = '';
    const syllables = 1 + (next() % 4);
    for (let s = 0; s < syllables; s++) word += pick(SYLLABLES);
    vocabulary.push(word);
  }
  // Product of uniforms: a heavy head, like word frequencies in natural language.
  const word = (): string => {
    const u = (next() / 2 ** 32) * (next() / 2 ** 32) * (next() / 2 ** 32);
    return vocabulary[Math.floor(u * vocabulary.length)]!;
  };
  const words = (count: number): string => {
    let text = word();
    for (let i = 1; i < count; i++) text += ' ' + word();
    return text;
  };
  let clockMs = 1_700_000_000_000 + (next() % 1_000_000);
  const line = (): string => {
    const kind = next() % 10;
    if (kind < 6) {
      const sentence = words(4 + (next() % 16));
      const end = pick(['.', '.', '.', '?', '!', ',']);
      return sentence[0]!.toUpperCase() + sentence.slice(1) + end + (next() % 5 === 0 ? '\n' : '');
    }
    if (kind < 9) {
      clockMs += next() % 5000;
      const level = pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']);
      const id = (next() % 0xffffff).toString(16).padStart(6, '0');
      return `${new Date(clockMs).toISOString()} ${level} ${word()}-${next() % 32} id=${id} path=/${word()}/${word()} took=${next() % 900}ms`;
    }
    const indent = ' '.repeat(2 * (next() % 4));
    return `${indent}const ${word()} = ${word()}(${word()}, ${next() % 1000});`;
  };
  // Lines are encoded in batches of ~64 KiB: one Buffer.from per line would dominate the cost.
  const batch = (): Uint8Array => {
    const lines: string[] = [];
    for (let length = 0; length < 65536;) {
      const text = line();
      lines.push(text);
      length += text.length + 1;
    }
    lines.push('');
    return Buffer.from(lines.join('\n'), 'latin1');
  };
  let pending: Uint8Array = new Uint8Array(0);
  return (out) => {
    let at = 0;
    while (at < out.length) {
      if (pending.length === 0) pending = batch();
      const take = Math.min(pending.length, out.length - at);
      out.set(pending.subarray(0, take), at);
      pending = pending.subarray(take);
      at += take;
    }
  };
}

/** A filler that writes the next bytes of the seeded sequence into a buffer. */
export function createSeededFiller(kind: SeededDataKind, seed: number): (out: Uint8Array) => void {
  return kind === 'random' ? createRandomFiller(seed) : createTextFiller(seed);
}

/** The first `sizeBytes` of the seeded sequence, in memory (for small test inputs). */
export function seededBytes(kind: SeededDataKind, seed: number, sizeBytes: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  createSeededFiller(kind, seed)(out);
  return out;
}

/** Streams `sizeBytes` of the seeded sequence in fresh reads of `readBytes`. */
export async function* seededStream(
  kind: SeededDataKind,
  seed: number,
  sizeBytes: number,
  readBytes = 4 * 1024 * 1024,
): AsyncGenerator<Uint8Array> {
  const fill = createSeededFiller(kind, seed);
  for (let done = 0; done < sizeBytes;) {
    const read = new Uint8Array(Math.min(readBytes, sizeBytes - done));
    fill(read);
    done += read.length;
    yield read;
  }
}

/**
 * Writes `prefix` then `sizeBytes` of the seeded sequence to `path`, streamed (a 1 GiB file never
 * sits in memory). The same seed with a one-byte prefix gives the "inserted byte" variant.
 */
export async function writeSeededFile(options: {
  path: string;
  kind: SeededDataKind;
  seed: number;
  sizeBytes: number;
  prefix?: Uint8Array;
}): Promise<void> {
  const { path, kind, seed, sizeBytes, prefix } = options;
  async function* content(): AsyncGenerator<Uint8Array> {
    if (prefix) yield prefix;
    yield* seededStream(kind, seed, sizeBytes);
  }
  await pipeline(content, createWriteStream(path));
}
