/**
 * Streaming sync, the downloading side: when the journal announces a large upload with its block
 * list (a `pending` file, docs/protocol.md "Streaming sync"), the blocks are fetched while the
 * other device is still sending them (the server holds each GET until the block is stored,
 * `waitMs`) and written in order to a temporary file in `.ferry/tmp`, each one verified against
 * its id. Nothing reaches a real path here: when the commit arrives, its download takes the
 * assembled file if the committed block list is the one assembled, and places it as any
 * download does (download-file.ts: mtime, the path checked, one atomic rename). If the commit
 * differs, the announce expires or the stream fails, the download fetches normally and re-reads
 * from the temporary file the blocks it already has. Memory stays bounded as in fetch-blocks.ts.
 */
import type { AnnouncedBlocksResponse, BlockId, FileBlock } from '../protocol/index.js';
import type { BlockRef } from '../state/index.js';
import { fetchBlocks } from './fetch-blocks.js';
import {
  TEMP_FOLDER,
  type ExecuteContext,
  type StreamedDownloads,
  type StreamedFile,
} from './execute-context.js';

/** How long one GET waits on the server for a block not stored yet (below the HTTP timeouts). */
const BLOCK_WAIT_MS = 10_000;
/** Streams at once: each holds a few blocks in memory and one connection per block in flight. */
const MAX_STREAMS = 2;

interface Stream {
  readonly path: string;
  readonly tempPath: string;
  readonly controller: AbortController;
  /** What has been written to the temporary file so far, in file order. */
  readonly written: BlockRef[];
  announced: AnnouncedBlocksResponse | undefined;
  /** The assembled file; undefined when the stream gave up (nothing pending, a failure). */
  done: Promise<StreamedFile | undefined>;
  ended: boolean;
  /** Ended with every announced block written. */
  complete: boolean;
}

function sameBlocks(a: readonly FileBlock[], b: readonly FileBlock[]): boolean {
  return (
    a.length === b.length &&
    a.every((block, at) => block.id === b[at]!.id && block.size === b[at]!.size)
  );
}

export class AnnouncedStreams implements StreamedDownloads {
  private readonly streams = new Map<string, Stream>();
  private sequence = 0;
  /** Blocks fetched from the server by streams (for tests and the benchmark's breakdown). */
  fetchedBlocks = 0;

  /** `contextFor(signal)`: an executor context whose requests listen to `signal`. */
  constructor(private readonly contextFor: (signal: AbortSignal) => ExecuteContext) {}

  /**
   * Starts streaming `path`, announced as a pending upload, unless it streams already or enough
   * streams run. `signal` ends it (the engine closing).
   */
  start(path: string, signal: AbortSignal): void {
    if (signal.aborted) return;
    const existing = this.streams.get(path);
    if (existing !== undefined) {
      // One that gave up (the upload was announced again with another list, a failure): the
      // announce seen now is streamed afresh. A running or complete one goes on.
      if (!existing.ended || existing.complete) return;
      void this.release(path);
    }
    if (this.streams.size >= MAX_STREAMS) {
      // A stream that ended and was never taken (its file deleted, or not downloaded after
      // all) gives its place up; running ones keep theirs.
      const ended = [...this.streams.values()].find((stream) => stream.ended);
      if (ended === undefined) return;
      void this.release(ended.path);
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const context = this.contextFor(controller.signal);
    this.sequence += 1;
    const written: BlockRef[] = [];
    const stream: Stream = {
      path,
      tempPath: `${TEMP_FOLDER}/stream-${Math.floor(context.clock.nowMs())}-${this.sequence}`,
      controller,
      written,
      announced: undefined,
      done: Promise.resolve(undefined),
      ended: false,
      complete: false,
    };
    stream.done = this.assemble(context, stream)
      .then((file) => {
        stream.complete = file !== undefined;
        return file;
      })
      // A failed stream only costs its time: the download fetches what it lacks.
      .catch(() => undefined)
      .finally(() => {
        stream.ended = true;
        signal.removeEventListener('abort', onAbort);
      });
    this.streams.set(path, stream);
  }

  private async assemble(
    context: ExecuteContext,
    stream: Stream,
  ): Promise<StreamedFile | undefined> {
    const { fs, remote, signal } = context;
    const announced = await remote.getAnnouncedBlocks(stream.path, signal);
    if (announced === undefined) return undefined;
    stream.announced = announced;
    await fs.mkdir(TEMP_FOLDER);
    const writer = await fs.createFile(stream.tempPath);
    const fingerprinter = await context.createFingerprinter();
    let sizeBytes = 0;
    try {
      const stillComing = async () => {
        const now = await remote.getAnnouncedBlocks(stream.path, signal);
        return now !== undefined && sameBlocks(now.blocks, announced.blocks);
      };
      let at = 0;
      for await (const block of fetchBlocks(context, announced.namespace, announced.blocks, {
        waitMs: BLOCK_WAIT_MS,
        stillComing,
      })) {
        const expected = announced.blocks[at]!;
        if (block.bytes.length !== expected.size) {
          throw new Error(`block ${block.id} of ${stream.path} is not ${expected.size} bytes`);
        }
        await writer.write(block.bytes);
        fingerprinter.update(block.bytes);
        stream.written.push({
          offsetBytes: sizeBytes,
          sizeBytes: block.bytes.length,
          blockId: block.id,
        });
        sizeBytes += block.bytes.length;
        if (!block.fromDisk) this.fetchedBlocks += 1;
        at += 1;
      }
      await writer.sync();
    } finally {
      await writer.close();
    }
    return {
      tempPath: stream.tempPath,
      sizeBytes,
      fingerprint: fingerprinter.digest(),
      blocks: stream.written,
    };
  }

  async take(
    path: string,
    blocks: readonly FileBlock[],
    signal: AbortSignal,
  ): Promise<StreamedFile | undefined> {
    const stream = this.streams.get(path);
    if (stream === undefined) return undefined;
    const announced = stream.announced;
    if (announced !== undefined && !sameBlocks(announced.blocks, blocks)) {
      // Another version was committed: stop; what was written stays a block source.
      stream.controller.abort();
      await stream.done;
      return undefined;
    }
    // The committed list is the announced one: every block is stored, the rest comes at once.
    const onAbort = () => stream.controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const file = await stream.done;
      if (file === undefined || !sameBlocks(file.blocks.map(refToBlock), blocks)) return undefined;
      // The caller's now: it renames the file into place (or removes it).
      this.streams.delete(path);
      return file;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  findBlock(id: BlockId) {
    for (const stream of this.streams.values()) {
      const ref = stream.written.find((block) => block.blockId === id);
      if (ref !== undefined) {
        return { path: stream.tempPath, offsetBytes: ref.offsetBytes, sizeBytes: ref.sizeBytes };
      }
    }
    return undefined;
  }

  async release(path: string): Promise<void> {
    const stream = this.streams.get(path);
    if (stream === undefined) return;
    this.streams.delete(path);
    stream.controller.abort();
    await stream.done;
    await this.contextFor(AbortSignal.timeout(10_000))
      .fs.removeFile(stream.tempPath)
      .catch(() => undefined);
  }

  /** Ends every stream and removes their temporary files (the engine is closing). */
  async stop(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((path) => this.release(path)));
  }
}

const refToBlock = (ref: BlockRef): FileBlock => ({ id: ref.blockId, size: ref.sizeBytes });
