import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlockId } from '../protocol/index.js';
import { BlockDecodeError } from './block-decode-error.js';
import type { CodecRequest, CodecResponse, SerializedError } from './codec-worker.js';

/** An encoded block and the id of its plaintext. */
export interface EncodedBlock {
  id: BlockId;
  encoded: Uint8Array;
}

/** Per-call options of the pool. */
export interface CodecTaskOptions {
  /**
   * Hand the input's ArrayBuffer to the worker instead of copying it. The caller's array is
   * detached (length 0) afterwards. Ignored (a copy is made) when the array is a view into a
   * larger buffer.
   */
  transfer?: boolean;
}

/**
 * A small pool of worker threads running the block codec (SHA-256, DEFLATE, AES-GCM) off the
 * main thread; used by the engine to encode files and by the server to verify uploaded blocks.
 * Tasks queue without limit: callers bound their own in-flight work (encodeFileBlocks does).
 * Idle workers do not keep the process alive, but call close() when done.
 */
export interface BlockCodecPool {
  /** Number of worker threads the pool runs at most. */
  readonly workerCount: number;
  /** encodeBlock in a worker; also returns the block id. Rejects as encodeBlock throws. */
  encode(plain: Uint8Array, key: Uint8Array, options?: CodecTaskOptions): Promise<EncodedBlock>;
  /** decodeBlock in a worker. Rejects with BlockDecodeError (same codes) as decodeBlock throws. */
  decode(
    encoded: Uint8Array,
    key: Uint8Array,
    expectedId: BlockId,
    options?: CodecTaskOptions,
  ): Promise<Uint8Array>;
  /** Terminates the workers; queued and running tasks reject. Idempotent. */
  close(): Promise<void>;
}

interface Task {
  request: CodecRequest;
  transferList: ArrayBuffer[];
  resolve(response: CodecResponse & { ok: true }): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

const WORKER_ENTRY = new URL('./codec-worker-entry.mjs', import.meta.url);

/**
 * Default size: one worker per core, at most 4. On two cores the main thread's chunking shares a
 * core with a worker, which measured faster than leaving a core to chunking alone.
 */
function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** A view the worker may take over: the array itself or, when it shares a buffer, a copy. */
function transferable(bytes: Uint8Array, transfer: boolean): Uint8Array {
  const isOwned =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer;
  return transfer && isOwned ? bytes : new Uint8Array(bytes);
}

function reviveError(error: SerializedError): Error {
  if (error.code !== undefined) return new BlockDecodeError(error.code, error.message);
  const revived =
    error.name === 'RangeError'
      ? new RangeError(error.message)
      : error.name === 'TypeError'
        ? new TypeError(error.message)
        : new Error(error.message);
  return revived;
}

/**
 * Creates a codec pool. Workers start lazily on the first tasks, so creating a pool is cheap.
 * @param options.workers number of worker threads (default: cores, capped at 4)
 */
export function createBlockCodecPool(options: { workers?: number } = {}): BlockCodecPool {
  const workerCount = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workerCount) || workerCount < 1) {
    throw new RangeError(`a codec pool needs at least one worker, got ${workerCount}`);
  }
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let isClosed = false;

  function startWorker(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_ENTRY) };
    slot.worker.on('message', (response: CodecResponse) => {
      const task = slot.task;
      slot.task = undefined;
      if (task) {
        if (response.ok) task.resolve(response);
        else task.reject(reviveError(response.error));
      }
      dispatch();
    });
    slot.worker.on('error', (error) => failSlot(slot, error));
    slot.worker.on('exit', (exitCode) => {
      failSlot(slot, new Error(`block codec worker exited with code ${exitCode}`));
    });
    slots.push(slot);
    return slot;
  }

  /** A worker died: its task fails, the slot is dropped, queued work goes to the others. */
  function failSlot(slot: Slot, cause: unknown): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    const task = slot.task;
    slot.task = undefined;
    task?.reject(
      isClosed
        ? new Error('block codec pool is closed')
        : new Error('block codec worker failed', { cause }),
    );
    if (!isClosed) dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let slot = slots.find((candidate) => candidate.task === undefined);
      if (!slot && slots.length < workerCount) slot = startWorker();
      if (!slot) break;
      const task = queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage(task.request, task.transferList);
    }
    // Idle workers must not keep the process alive.
    for (const slot of slots) if (slot.task === undefined) slot.worker.unref();
  }

  function submit(
    request: CodecRequest,
    transferList: ArrayBuffer[],
  ): Promise<CodecResponse & { ok: true }> {
    if (isClosed) return Promise.reject(new Error('block codec pool is closed'));
    return new Promise((resolve, reject) => {
      queue.push({ request, transferList, resolve, reject });
      dispatch();
    });
  }

  return {
    workerCount,
    async encode(plain, key, taskOptions = {}) {
      const data = transferable(plain, taskOptions.transfer ?? false);
      const keyCopy = new Uint8Array(key);
      const request: CodecRequest = { op: 'encode', plain: data, key: keyCopy };
      const response = await submit(request, [data.buffer as ArrayBuffer]);
      return { id: response.blockId!, encoded: response.bytes };
    },
    async decode(encoded, key, expectedId, taskOptions = {}) {
      const data = transferable(encoded, taskOptions.transfer ?? false);
      const keyCopy = new Uint8Array(key);
      const request: CodecRequest = { op: 'decode', encoded: data, key: keyCopy, expectedId };
      const response = await submit(request, [data.buffer as ArrayBuffer]);
      return response.bytes;
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      const closing = new Error('block codec pool is closed');
      for (const task of queue.splice(0)) task.reject(closing);
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
