import { parentPort, workerData } from 'node:worker_threads';
import type { BlockId, BlockDecodeErrorCode } from '../protocol/index.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import { BlockDecodeError } from './block-decode-error.js';
import { encodeBlockInPlace } from './encode-in-place.js';
import { hashBlock } from './hash-block.js';
import { createMinorGc } from './worker-gc.js';

/**
 * Worker side of the block codec pool: runs encodeBlock/decodeBlock off the main thread. Runs as
 * plain JavaScript bundled from this file (codec-worker-code.ts). Byte buffers travel as
 * transferred ArrayBuffers in both directions, never copied by postMessage.
 */

/** What the pool hands each worker at start. */
export interface CodecWorkerData {
  /** The lock every codec worker of the process takes to switch V8's expose-gc flag (worker-gc.ts). */
  gcFlagLock: Int32Array;
}

/** A task sent by the pool. */
export type CodecRequest =
  | {
      op: 'encode';
      plain: Uint8Array;
      key: Uint8Array;
      /** Encode over plain's own buffer (encode-in-place.ts); the caller checked the layout. */
      inPlace: boolean;
      /** The block's id when the caller knows it (no SHA-256 pass here). */
      id?: BlockId;
    }
  | { op: 'decode'; encoded: Uint8Array; key: Uint8Array; expectedId: BlockId }
  /** decode, keeping only the plaintext's length: the encoded bytes come back as `bytes`. */
  | { op: 'verify'; encoded: Uint8Array; key: Uint8Array; expectedId: BlockId };

/** The answer to one task. */
export type CodecResponse =
  | { ok: true; bytes: Uint8Array; blockId?: BlockId; plainLength?: number }
  | { ok: false; error: SerializedError };

/** An error as it crosses the thread boundary; `code` is set for BlockDecodeError. */
export interface SerializedError {
  name: string;
  message: string;
  code?: BlockDecodeErrorCode;
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof BlockDecodeError) {
    return { name: error.name, message: error.message, code: error.code };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The buffer to transfer back: `bytes` itself when it owns its ArrayBuffer, else a copy. */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  const isOwned =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer;
  return isOwned ? bytes : new Uint8Array(bytes);
}

function runTask(request: CodecRequest): CodecResponse {
  try {
    if (request.op === 'encode') {
      const blockId = request.id ?? hashBlock(request.plain);
      const encoded = request.inPlace
        ? encodeBlockInPlace(request.plain, request.key, blockId)
        : encodeBlock(request.plain, request.key, blockId);
      return { ok: true, bytes: ownedBytes(encoded), blockId };
    }
    const plain = decodeBlock(request.encoded, request.key, request.expectedId);
    if (request.op === 'verify') {
      // The plaintext stays here: handing it over would only make garbage in the caller's heap.
      return { ok: true, bytes: ownedBytes(request.encoded), plainLength: plain.length };
    }
    return { ok: true, bytes: ownedBytes(plain) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

if (parentPort) {
  const port = parentPort;
  const { gcFlagLock } = (workerData ?? {}) as CodecWorkerData;
  const collectGarbage = createMinorGc(gcFlagLock);
  port.on('message', (request: CodecRequest) => {
    const response = runTask(request);
    port.postMessage(response, response.ok ? [response.bytes.buffer as ArrayBuffer] : []);
    collectGarbage();
  });
}
