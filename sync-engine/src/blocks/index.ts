/**
 * The block pipeline: content-defined chunking, SHA-256 block ids, compression, AES-256-GCM, the
 * encoded-block format and their inverses, plus xxHash fingerprints. Part of the wire format: the
 * server imports this entry. Imports only `node:` modules, xxhash-wasm, esbuild (to bundle the codec
 * worker, on first use) and ../protocol.
 */
export { CHUNK_MIN_BYTES, CHUNK_AVG_BYTES, CHUNK_MAX_BYTES } from './chunk-bounds.js';
export type { ChunkerOptions } from './chunk-bounds.js';
export { chunkStream } from './chunk-stream.js';
export type { StreamBlock } from './chunk-stream.js';
export { hashBlock } from './hash-block.js';
export { encodeBlock, decodeBlock, BLOCK_KEY_BYTES } from './block-codec.js';
export { MAX_ENCODED_BLOCK_BYTES, BLOCK_FORMAT_VERSION } from './block-format.js';
export { BlockDecodeError, isBlockDecodeErrorCode } from './block-decode-error.js';
export type { BlockDecodeErrorCode } from '../protocol/index.js';
export { createBlockCodecPool } from './codec-pool.js';
export type { BlockCodecPool, CodecTaskOptions, EncodedBlock } from './codec-pool.js';
export { encodeFileBlocks } from './encode-file-blocks.js';
export type { EncodedFileBlock, EncodeFileOptions } from './encode-file-blocks.js';
export { listFileBlocks } from './list-file-blocks.js';
export type { ListedBlock } from './list-file-blocks.js';
export { encodeListedBlocks, ListedBlockChangedError } from './encode-listed-blocks.js';
export { inspectFile } from './inspect-file.js';
export { readFileChunks, FILE_READ_BYTES } from './file-chunks.js';
export type { InspectedFile } from './inspect-file.js';
export { createFingerprinter, fingerprintFile, loadBlockFingerprint } from './fingerprint.js';
export { chunkAgainst } from './chunk-against.js';
export { BlockBufferPool } from './block-buffer-pool.js';
export type { ChunkedBlock, KnownBlock, ReadRange } from './chunk-against.js';
export type { Fingerprinter } from './fingerprint.js';
export { contentHashOf } from './content-hash.js';
