import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import { readFileChunks } from './file-chunks.js';

/**
 * Fast, non-cryptographic fingerprints (xxHash64) for local change detection: "did this file's
 * content change since the last scan?" and matching inside a block. Never an identity on the wire
 * or a security check: block ids are SHA-256 (hash-block.ts).
 */
export interface Fingerprinter {
  /** Feeds more bytes; returns this for chaining. */
  update(bytes: Uint8Array): Fingerprinter;
  /** xxHash64 (seed 0) of everything fed so far, as 16 lowercase hex characters. */
  digest(): string;
}

// The WASM module is compiled once per thread and shared: it is immutable code, and each
// fingerprinter gets its own hashing state from it.
let xxhashApi: Promise<XXHashAPI> | undefined;
function loadXxhash(): Promise<XXHashAPI> {
  xxhashApi ??= xxhash();
  return xxhashApi;
}

/**
 * A streaming xxHash64 fingerprinter.
 * @example
 * const fp = await createFingerprinter();
 * for await (const chunk of stream) fp.update(chunk);
 * const hex = fp.digest();
 */
export async function createFingerprinter(): Promise<Fingerprinter> {
  const state = (await loadXxhash()).create64();
  const fingerprinter: Fingerprinter = {
    update(bytes) {
      state.update(bytes);
      return fingerprinter;
    },
    digest() {
      return state.digest().toString(16).padStart(16, '0');
    },
  };
  return fingerprinter;
}

/**
 * xxHash64 of a file's content as 16 lowercase hex characters, streamed.
 * @throws the file system error (ENOENT, EISDIR, …) or an AbortError when `signal` fires.
 */
export async function fingerprintFile(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const fingerprinter = await createFingerprinter();
  for await (const chunk of readFileChunks(path, options)) fingerprinter.update(chunk);
  return fingerprinter.digest();
}

/**
 * A function giving the xxHash64 (seed 0) of one block's bytes, as 16 lowercase hex characters:
 * the same value a Fingerprinter fed those bytes gives. Synchronous once loaded, for hot loops.
 */
export async function loadBlockFingerprint(): Promise<(bytes: Uint8Array) => string> {
  const api = await loadXxhash();
  return (bytes) => api.h64Raw(bytes).toString(16).padStart(16, '0');
}
