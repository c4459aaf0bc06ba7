import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlockId } from '../protocol/index.js';
import { isResizable } from './block-buffer-pool.js';
import { canEncodeInPlace } from './encode-in-place.js';
import { BlockDecodeError } from './block-decode-error.js';
import { loadCodecWorkerCode } from './codec-worker-code.js';
import type {
  CodecRequest,
  CodecResponse,
  CodecWorkerData,
  SerializedError,
} from './codec-worker.js';

/** An encoded block and the id of its plaintext. */
export interface EncodedBlock {
  id: BlockId;
  encoded: Uint8Array;
}

/** Per-call options of the pool. */
export interface CodecTaskOptions {
  /**
   * Hand the input's whole ArrayBuffer to the worker instead of copying the bytes: the caller's
   * array is detached (length 0) afterwards. Done when the array starts its buffer and either
   * spans all of it or the buffer is resizable (a pooled block buffer); otherwise a copy is sent.
   */
  transfer?: boolean;
  /**
   * encode only: encode over the input's own buffer (encode-in-place.ts), which is transferred
   * and comes back as `encoded.buffer`. Applies when the input was laid out for it (as
   * encodeFileBlocks does: a resizable buffer, the block at the headroom offset); otherwise the
   * input is copied as usual.
   */
  inPlace?: boolean;
  /**
   * Run the task only on the pool's first `maxWorkers` workers (default: any). encodeFileBlocks
   * uses 1 for incompressible data: one worker keeps pace with the chunker there, and more would
   * only compete with it for the cores (docs/performance.md).
   */
  maxWorkers?: number;
  /**
   * encode only: the block's id, when the caller computed it already (an announced upload's
   * list); the worker then skips its SHA-256 pass. It must be hashBlock(plain): a wrong id yields
   * a block that fails to decode with `block_hash_mismatch`.
   */
  id?: BlockId;
}

/**
 * A small pool of worker threads running the block codec (SHA-256, Brotli, AES-GCM) off the
 * main thread; used by the engine to encode files and by the server to verify uploaded blocks.
 * Tasks queue without limit: callers bound their own in-flight work (encodeFileBlocks does).
 * Idle workers do not keep the process alive, but call close() when done.
 */
export interface BlockCodecPool {
  /** Number of worker threads the pool runs at most. */
  readonly workerCount: number;
  /** Worker threads started and alive now (they start on demand). */
  readonly runningWorkerCount: number;
  /** encodeBlock in a worker; also returns the block id. Rejects as encodeBlock throws. */
  encode(plain: Uint8Array, key: Uint8Array, options?: CodecTaskOptions): Promise<EncodedBlock>;
  /** decodeBlock in a worker. Rejects with BlockDecodeError (same codes) as decodeBlock throws. */
  decode(
    encoded: Uint8Array,
    key: Uint8Array,
    expectedId: BlockId,
    options?: CodecTaskOptions,
  ): Promise<Uint8Array>;
  /**
   * decodeBlock in a worker, for its verdict only: the plaintext's length, and the encoded bytes
   * (handed back, so that with `transfer` nothing is copied). Rejects as decode does.
   */
  verify(
    encoded: Uint8Array,
    key: Uint8Array,
    expectedId: BlockId,
    options?: CodecTaskOptions,
  ): Promise<{ plainLength: number; encoded: Uint8Array }>;
  /** Terminates the workers; queued and running tasks reject. Idempotent. */
  close(): Promise<void>;
}

interface Task {
  request: CodecRequest;
  transferList: ArrayBuffer[];
  /** The task may run only on the first `maxWorkers` workers. */
  maxWorkers: number;
  resolve(response: CodecResponse & { ok: true }): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

/** One lock for every pool of the process: workers switch a process-wide V8 flag under it. */
const GC_FLAG_LOCK = new Int32Array(new SharedArrayBuffer(4));

/**
 * Default size: one worker per core, at most 4. Compressible data is compression-bound and uses
 * them all (the chunking thread shares a core); encodeFileBlocks keeps incompressible data on one.
 */
function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * True when handing over `bytes.buffer` gives away nothing but `bytes`: the view starts the buffer
 * and spans it, or the buffer is a resizable block buffer (whose tail past the view is spare
 * capacity). Slices of Node's shared Buffer pool never qualify.
 */
function canTransfer(bytes: Uint8Array): boolean {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0) return false;
  return bytes.byteLength === buffer.byteLength || isResizable(buffer);
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
  /** The worker script, once bundled (codec-worker-code.ts); until then tasks wait in the queue. */
  let workerCode: string | undefined;
  let isLoadingCode = false;

  function loadWorkerCode(): void {
    if (isLoadingCode) return;
    isLoadingCode = true;
    loadCodecWorkerCode().then(
      (code) => {
        workerCode = code;
        if (!isClosed) dispatch();
      },
      (error: unknown) => {
        isLoadingCode = false;
        const failure = new Error('cannot start block codec workers', { cause: error });
        for (const task of queue.splice(0)) task.reject(failure);
      },
    );
  }

  function startWorker(code: string): Slot {
    const workerData: CodecWorkerData = { gcFlagLock: GC_FLAG_LOCK };
    const slot: Slot = { worker: new Worker(code, { eval: true, workerData }) };
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

  /** A worker for `task`: an idle one among its first maxWorkers, or a new one if allowed. */
  function slotFor(task: Task): Slot | undefined {
    const limit = Math.min(task.maxWorkers, workerCount);
    const idle = slots.slice(0, limit).find((candidate) => candidate.task === undefined);
    if (idle || slots.length >= limit) return idle;
    if (workerCode === undefined) {
      loadWorkerCode();
      return undefined;
    }
    return startWorker(workerCode);
  }

  function dispatch(): void {
    // FIFO, except that a task waiting for one of its few allowed workers does not hold back
    // tasks that may run elsewhere.
    for (let index = 0; index < queue.length;) {
      const task = queue[index]!;
      const slot = slotFor(task);
      if (!slot) {
        index++;
        continue;
      }
      queue.splice(index, 1);
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
    maxWorkers = workerCount,
  ): Promise<CodecResponse & { ok: true }> {
    if (isClosed) return Promise.reject(new Error('block codec pool is closed'));
    return new Promise((resolve, reject) => {
      queue.push({ request, transferList, maxWorkers: Math.max(1, maxWorkers), resolve, reject });
      dispatch();
    });
  }

  /** A decode or verify task: the encoded bytes copied to the worker, or handed over. */
  const submitDecode = (
    op: 'decode' | 'verify',
    encoded: Uint8Array,
    key: Uint8Array,
    expectedId: BlockId,
    taskOptions: CodecTaskOptions,
  ) => {
    const isTransfer = (taskOptions.transfer ?? false) && canTransfer(encoded);
    const data = isTransfer ? encoded : new Uint8Array(encoded);
    const request: CodecRequest = { op, encoded: data, key: new Uint8Array(key), expectedId };
    return submit(request, [data.buffer as ArrayBuffer], taskOptions.maxWorkers);
  };

  return {
    workerCount,
    get runningWorkerCount() {
      return slots.length;
    },
    async encode(plain, key, taskOptions = {}) {
      const inPlace = (taskOptions.inPlace ?? false) && canEncodeInPlace(plain);
      const isTransfer = inPlace || ((taskOptions.transfer ?? false) && canTransfer(plain));
      // A copy is a fresh, exactly sized buffer: it can always be transferred.
      const data = isTransfer ? plain : new Uint8Array(plain);
      const keyCopy = new Uint8Array(key);
      const request: CodecRequest = {
        op: 'encode',
        plain: data,
        key: keyCopy,
        inPlace,
        ...(taskOptions.id === undefined ? {} : { id: taskOptions.id }),
      };
      const response = await submit(request, [data.buffer as ArrayBuffer], taskOptions.maxWorkers);
      return { id: response.blockId!, encoded: response.bytes };
    },
    async decode(encoded, key, expectedId, taskOptions = {}) {
      return (await submitDecode('decode', encoded, key, expectedId, taskOptions)).bytes;
    },
    async verify(encoded, key, expectedId, taskOptions = {}) {
      const response = await submitDecode('verify', encoded, key, expectedId, taskOptions);
      return { plainLength: response.plainLength!, encoded: response.bytes };
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
