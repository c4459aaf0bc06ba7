/**
 * Block frames, the body of POST /blocks/upload_batch and the answer of /blocks/download_batch:
 * `[32-byte raw block id][uint32 big-endian length][length bytes of the encoded block]`, one after
 * the other, nothing between or around them. The encoded bytes are exactly what PUT and GET
 * /blocks/{namespace}/{hash} carry. Pure: the reader works on chunks as they arrive, so neither
 * side holds more than the frame being read.
 */
import { isBlockId, type BlockId } from './ids.js';

/** Bytes of a raw block id in a frame header. */
export const BLOCK_FRAME_ID_BYTES = 32;
/** Bytes of a frame header: the raw id, then the payload length. */
export const BLOCK_FRAME_HEADER_BYTES = BLOCK_FRAME_ID_BYTES + 4;

/** One block as it travels in a frame. */
export interface BlockFrame {
  readonly id: BlockId;
  readonly encoded: Uint8Array;
}

/** A frame sequence that breaks the format (cut short, a bad length, too many frames). */
export class BlockFrameError extends Error {
  override readonly name = 'BlockFrameError';
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The header of a frame carrying `length` encoded bytes of block `id`. */
export function blockFrameHeader(id: BlockId, length: number): Uint8Array {
  if (!isBlockId(id)) throw new TypeError(`not a block id: ${id}`);
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`a frame cannot carry ${length} bytes`);
  }
  const header = new Uint8Array(BLOCK_FRAME_HEADER_BYTES);
  for (let i = 0; i < BLOCK_FRAME_ID_BYTES; i++) {
    header[i] = Number.parseInt(id.slice(i * 2, i * 2 + 2), 16);
  }
  new DataView(header.buffer).setUint32(BLOCK_FRAME_ID_BYTES, length, false);
  return header;
}

/** Limits a reader enforces while it reads. */
export interface BlockFrameLimits {
  /** Largest payload of one frame (an encoded block never exceeds MAX_ENCODED_BLOCK_BYTES). */
  readonly maxFrameBytes: number;
  /** Most frames in the whole sequence. */
  readonly maxFrames: number;
}

/**
 * Reads a frame sequence chunk by chunk. `push` returns the frames each chunk completes (their
 * bytes are copies, independent of the chunks); `end` says whether the sequence ended cleanly.
 * Both throw BlockFrameError; after one, the reader is unusable.
 */
export class BlockFrameReader {
  readonly #limits: BlockFrameLimits;
  readonly #header = new Uint8Array(BLOCK_FRAME_HEADER_BYTES);
  #headerFilled = 0;
  #id: BlockId | undefined;
  #payload: Uint8Array | undefined;
  #payloadFilled = 0;
  #frames = 0;

  constructor(limits: BlockFrameLimits) {
    this.#limits = limits;
  }

  /** Frames completed so far. */
  get frameCount(): number {
    return this.#payload === undefined ? this.#frames : this.#frames - 1;
  }

  push(chunk: Uint8Array): BlockFrame[] {
    const done: BlockFrame[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#payload === undefined) {
        const take = Math.min(BLOCK_FRAME_HEADER_BYTES - this.#headerFilled, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + take), this.#headerFilled);
        this.#headerFilled += take;
        at += take;
        if (this.#headerFilled === BLOCK_FRAME_HEADER_BYTES) this.#startPayload();
        continue;
      }
      const take = Math.min(this.#payload.length - this.#payloadFilled, chunk.length - at);
      this.#payload.set(chunk.subarray(at, at + take), this.#payloadFilled);
      this.#payloadFilled += take;
      at += take;
      if (this.#payloadFilled === this.#payload.length) {
        done.push({ id: this.#id as BlockId, encoded: this.#payload });
        this.#payload = undefined;
        this.#headerFilled = 0;
      }
    }
    return done;
  }

  /** Throws when the sequence ended inside a frame. */
  end(): void {
    if (this.#payload !== undefined || this.#headerFilled > 0) {
      const where =
        this.#payload === undefined
          ? `${this.#headerFilled} of ${BLOCK_FRAME_HEADER_BYTES} header bytes`
          : `${this.#payloadFilled} of ${this.#payload.length} bytes of block ${this.#id}`;
      throw new BlockFrameError(`frame ${this.#frames + 1} is cut short after ${where}`);
    }
  }

  #startPayload(): void {
    const frame = this.#frames + 1;
    if (frame > this.#limits.maxFrames) {
      throw new BlockFrameError(`more than ${this.#limits.maxFrames} frames`);
    }
    let id = '';
    for (let i = 0; i < BLOCK_FRAME_ID_BYTES; i++) id += HEX[this.#header[i]!];
    const length = new DataView(this.#header.buffer).getUint32(BLOCK_FRAME_ID_BYTES, false);
    if (length === 0 || length > this.#limits.maxFrameBytes) {
      throw new BlockFrameError(
        `frame ${frame} (block ${id}) declares ${length} bytes; 1 to ${this.#limits.maxFrameBytes} allowed`,
      );
    }
    this.#frames = frame;
    this.#id = id as BlockId;
    this.#payload = new Uint8Array(length);
    this.#payloadFilled = 0;
  }
}
