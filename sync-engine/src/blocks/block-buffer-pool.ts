/**
 * Reusable block buffers. Encoding a large file allocates nothing per block on the main thread:
 * each block is assembled in a buffer from this pool, transferred to a codec worker and handed
 * back. Without reuse, every block leaves megabytes of garbage in each thread until V8 collects,
 * which on two cores measured well over 300 MB of RSS for a 1 GiB file (docs/performance.md).
 *
 * The buffers are resizable ArrayBuffers (ES2024; on by default since Node 20): one reserves
 * address space for the largest block but only the pages up to its current length are resident,
 * and shrinking it returns pages to the system. They transfer between threads like any other.
 */

/** The ES2024 resizable ArrayBuffer API (the shared tsconfig's ES2023 lib lacks its types). */
export interface ResizableArrayBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  readonly resizable: boolean;
  resize(byteLength: number): void;
}

type ResizableArrayBufferConstructor = new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

/** Growth step: resizing per read would cost one system call per read; 1 MiB steps are enough. */
const GROWTH_STEP_BYTES = 1024 * 1024;

/** True when `buffer` is a resizable ArrayBuffer. */
export function isResizable(buffer: ArrayBufferLike): buffer is ResizableArrayBuffer {
  return (buffer as Partial<ResizableArrayBuffer>).resizable === true;
}

export class BlockBufferPool {
  private readonly free: ResizableArrayBuffer[] = [];
  private readonly maxBytes: number;
  private readonly retainBytes: number;
  private readonly maxFree: number;

  /**
   * @param options.maxBytes    capacity of each buffer (the largest block)
   * @param options.retainBytes a released buffer is shrunk to at most this many bytes, so one
   *   large block does not keep its pages resident for the rest of the file
   * @param options.maxFree     released buffers beyond this many are dropped
   */
  constructor(options: { maxBytes: number; retainBytes: number; maxFree: number }) {
    this.maxBytes = options.maxBytes;
    this.retainBytes = Math.min(options.retainBytes, options.maxBytes);
    this.maxFree = options.maxFree;
  }

  /** A buffer of capacity maxBytes; its current byteLength is unspecified. */
  acquire(): ResizableArrayBuffer {
    const Resizable = ArrayBuffer as unknown as ResizableArrayBufferConstructor;
    return this.free.pop() ?? new Resizable(0, { maxByteLength: this.maxBytes });
  }

  /** Grows `buffer` so that at least `byteLength` bytes are usable. */
  ensureLength(buffer: ResizableArrayBuffer, byteLength: number): void {
    if (buffer.byteLength >= byteLength) return;
    const stepped = Math.ceil(byteLength / GROWTH_STEP_BYTES) * GROWTH_STEP_BYTES;
    buffer.resize(Math.min(this.maxBytes, stepped));
  }

  /** Returns a buffer for reuse. Buffers not from a pool of this capacity are ignored. */
  release(buffer: ArrayBufferLike): void {
    if (!isResizable(buffer) || buffer.maxByteLength !== this.maxBytes) return;
    if (this.free.length >= this.maxFree) return;
    if (buffer.byteLength > this.retainBytes) buffer.resize(this.retainBytes);
    this.free.push(buffer);
  }
}
