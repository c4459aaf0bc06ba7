/**
 * Upload: chunk and encrypt the local file with its namespace's key, ask the server which
 * blocks it lacks, send only those (a few at a time, each released after it is sent, so memory
 * stays bounded), and commit the version on top of the revision it was based on. A crash or a
 * lost connection anywhere before the commit costs nothing but the blocks not yet sent: the next
 * attempt asks again and sends only what is still missing.
 *
 * The file is checked before and after reading: if it changed meanwhile (still being written),
 * nothing is committed and the next scan uploads it again with its final content. Large files are
 * listed and announced first, then sent from their list (announced-upload.ts).
 */
import {
  contentHashOf,
  encodeFileBlocks,
  type EncodedFileBlock,
  type ListedBlock,
} from '../blocks/index.js';
import type { BlockId, CommitRequest, FileMetadata, NamespaceId } from '../protocol/index.js';
import type { CommitResult } from '../remote/index.js';
import type { BlockRef, ItemId, LocalItem } from '../state/index.js';
import type { Operation } from '../plan/index.js';
import { announceList, listFile, missingOf, sendListed } from './announced-upload.js';
import { crashPoint } from './crash-points.js';
import { sendBlock } from './send-block.js';
import { leaveOldCopyBehind } from './cross-share.js';
import { clearCommitIntent, recordCommitIntent } from './commit-intents.js';
import { blocksToEditFrom, editedBlocks, type UploadBlock } from './edited-blocks.js';
import { setAside } from './set-aside.js';
import { makeRoomInSynced } from './synced-room.js';
import {
  isUnchanged,
  namespaceFor,
  type ExecuteContext,
  type ExecuteOutcome,
} from './execute-context.js';

type Upload = Extract<Operation, { kind: 'upload' }>;

/** Files from this size on are announced before their blocks go (the seed's pending → uploaded). */
export const ANNOUNCE_MIN_BYTES = 16 * 1024 * 1024;

/** Blocks checked and sent together: bounds memory (at most this many encoded blocks held). */
const BLOCKS_PER_BATCH = 8;

/** Records a committed version: remote and synced rows, block lists. */
export function recordCommitted(
  context: ExecuteContext,
  itemId: ItemId,
  file: FileMetadata,
  fingerprint: string,
  blocks: readonly BlockRef[],
): void {
  const { items } = context.state;
  const existing = items.remoteByFileId(file.fileId);
  if (existing !== undefined && existing.itemId !== itemId) items.remote.delete(existing.itemId);
  const occupant = items.remote.getByPath(file.path);
  if (occupant !== undefined && occupant.itemId !== itemId) items.remote.delete(occupant.itemId);
  items.remote.put({
    itemId,
    kind: 'file',
    path: file.path,
    rev: file.rev,
    sizeBytes: file.size,
    modifiedMs: file.modified,
    contentHash: file.contentHash,
    fileId: file.fileId,
    namespace: file.namespace,
  });
  makeRoomInSynced(context.state, itemId, file.path);
  items.synced.put({
    itemId,
    kind: 'file',
    path: file.path,
    rev: file.rev,
    sizeBytes: file.size,
    modifiedMs: file.modified,
    fingerprint,
    syncedMs: context.clock.nowMs(),
  });
  context.state.blocks.set(itemId, 'synced', blocks);
}

async function sendMissing(
  context: ExecuteContext,
  namespace: Parameters<ExecuteContext['namespaceKey']>[0],
  batch: EncodedFileBlock[],
): Promise<void> {
  const missing = new Set(
    await context.remote.checkBlocks(
      { namespace, hashes: batch.map((block) => block.id) },
      context.signal,
    ),
  );
  const sent = new Set<BlockId>();
  await Promise.all(
    batch.map(async (block) => {
      if (missing.has(block.id) && !sent.has(block.id)) {
        sent.add(block.id);
        await sendBlock(context, namespace, block);
      }
    }),
  );
  for (const block of batch) block.release();
}

/** A local file read, chunked and encrypted, ready for its commit. */
export interface PreparedUpload {
  readonly operation: Upload;
  /** The local row as it was when the file was read. */
  readonly local: LocalItem;
  readonly namespace: NamespaceId;
  readonly blocks: readonly BlockRef[];
  readonly fingerprint: string;
  readonly sizeBytes: number;
  readonly contentHash: string;
}

/** A PreparedUpload of the file read as `blocks`; size and content hash follow from them. */
export function preparedUpload(
  input: Omit<PreparedUpload, 'sizeBytes' | 'contentHash'>,
): PreparedUpload {
  return {
    ...input,
    sizeBytes: input.blocks.reduce((sum, block) => sum + block.sizeBytes, 0),
    contentHash: contentHashOf(input.blocks.map((block) => block.blockId)),
  };
}

/** The file's bytes, each chunk fed to `fingerprinter` on the way (one read for both). */
export async function* readFingerprinted(
  context: ExecuteContext,
  path: string,
  fingerprinter: { update(chunk: Uint8Array): void },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of context.fs.readFile(path, context.signal)) {
    fingerprinter.update(chunk);
    yield chunk;
  }
}

/** The local row of an upload, when the file is still as planned (else the upload is stale). */
export async function uploadPremise(
  context: ExecuteContext,
  operation: Upload,
): Promise<LocalItem | undefined> {
  const local = context.state.items.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return undefined;
  // A copy across a share's boundary whose server copy is already there: planned on old trees.
  if (
    operation.crossShare === true &&
    context.state.items.remote.get(operation.itemId)?.path === operation.path
  )
    return undefined;
  const before = await context.fs.stat(operation.path, context.signal);
  return isUnchanged(local, before) ? local : undefined;
}

export function commitRequestOf(prepared: PreparedUpload): CommitRequest {
  return {
    path: prepared.operation.path,
    blocks: prepared.blocks.map((block) => block.blockId),
    size: prepared.sizeBytes,
    modified: Math.round(prepared.local.mtimeMs),
    ...(prepared.operation.parentRev === undefined
      ? {}
      : { parentRev: prepared.operation.parentRev }),
  };
}

/**
 * The intent log: if we crash after the server committed but before we recorded it, the next
 * pull recognises our own commit by its content hash instead of calling it a conflict.
 */
export function recordIntent(context: ExecuteContext, prepared: PreparedUpload): void {
  recordCommitIntent(context.state, prepared.operation.itemId, {
    path: prepared.operation.path,
    contentHash: prepared.contentHash,
    fingerprint: prepared.fingerprint,
    sizeBytes: prepared.sizeBytes,
  });
}

/** Records a commit the server accepted; call inside a state transaction. */
export function recordUpload(
  context: ExecuteContext,
  prepared: PreparedUpload,
  file: FileMetadata,
): void {
  const { items } = context.state;
  const { operation, local, fingerprint, blocks } = prepared;
  clearCommitIntent(context.state, operation.itemId);
  if (operation.crossShare === true) {
    leaveOldCopyBehind(context.state, operation.itemId, file.path, context.clock.nowMs());
  }
  recordCommitted(context, operation.itemId, file, fingerprint, blocks);
  const current = items.local.get(operation.itemId);
  if (current !== undefined && current.path === local.path) {
    items.local.put({ ...current, fingerprint });
    context.state.blocks.set(operation.itemId, 'local', blocks);
  }
  if (operation.restoresDeleted === true) {
    const id = context.state.conflicts.record({
      itemId: operation.itemId,
      reason: 'edit_delete',
      path: operation.path,
      remoteRev: file.rev,
      detectedMs: context.clock.nowMs(),
    });
    const conflict = context.state.conflicts.get(id);
    if (conflict !== undefined) context.report.conflict(conflict);
  }
}

/** What an answer other than a commit means for the upload. */
export async function settleRefusedUpload(
  context: ExecuteContext,
  prepared: PreparedUpload,
  result: Exclude<CommitResult, { kind: 'committed' }>,
): Promise<ExecuteOutcome> {
  const { operation } = prepared;
  switch (result.kind) {
    case 'rev_conflict':
      // The server moved on: its version keeps the path, ours becomes a conflicted copy.
      clearCommitIntent(context.state, operation.itemId);
      await setAside(context, {
        itemId: operation.itemId,
        path: operation.path,
        cause: 'edit_edit',
        remoteRev: result.currentRev ?? undefined,
        localContentHash: prepared.contentHash,
      });
      return 'done';
    case 'missing_blocks':
      throw new Error(
        `the server still lacks ${result.missing.length} blocks of ${operation.path}`,
      );
    case 'namespace_changed':
      // The folder became shared meanwhile: the next pull brings the new namespace.
      clearCommitIntent(context.state, operation.itemId);
      return 'stale';
  }
}

/**
 * The file's blocks: chunked against its synced version when that one's blocks have their
 * xxHash (an edit: only new blocks are encoded), else all of them encoded (a new file). A copy
 * into another namespace (across a share's boundary) encodes all of them as well: the synced
 * version's blocks are stored, under another key, in the namespace it leaves.
 */
async function* fileBlocks(
  context: ExecuteContext,
  operation: Upload,
  local: LocalItem,
  namespace: NamespaceId,
  key: Uint8Array,
  fingerprinter: { update(chunk: Uint8Array): void },
): AsyncGenerator<UploadBlock> {
  const previous = blocksToEditFrom(context, operation, namespace);
  if (previous !== undefined) {
    yield* editedBlocks(context, operation.path, local.sizeBytes, previous, key, fingerprinter);
    return;
  }
  const source = readFingerprinted(context, operation.path, fingerprinter);
  const options = context.codec === undefined ? {} : { pool: context.codec };
  for await (const block of encodeFileBlocks(source, key, options)) {
    const { offset, size, id, xxhash } = block;
    yield { listed: { offset, size, id, xxhash }, encoded: block };
  }
}

/** The block list entry of an encoded block. */
export function refOf(block: EncodedFileBlock): BlockRef {
  return refOfListed(block);
}

function refOfListed(block: ListedBlock): BlockRef {
  return {
    offsetBytes: block.offset,
    sizeBytes: block.size,
    blockId: block.id,
    xxhash: block.xxhash,
  };
}

/** The file as sent: its blocks (each on the server, or known there) and its fingerprint. */
interface SentFile {
  readonly blocks: readonly ListedBlock[];
  readonly fingerprint: string;
}

/** Uploads the file as it reads it: chunked, hashed and encoded in one pass (today's path). */
async function sendAsRead(
  context: ExecuteContext,
  operation: Upload,
  local: LocalItem,
  namespace: NamespaceId,
  key: Uint8Array,
): Promise<SentFile> {
  const fingerprinter = await context.createFingerprinter();
  const blocks: ListedBlock[] = [];
  let batch: EncodedFileBlock[] = [];
  for await (const { listed, encoded } of fileBlocks(
    context,
    operation,
    local,
    namespace,
    key,
    fingerprinter,
  )) {
    blocks.push(listed);
    if (encoded === undefined) continue;
    batch.push(encoded);
    if (batch.length >= BLOCKS_PER_BATCH) {
      await sendMissing(context, namespace, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sendMissing(context, namespace, batch);
  return { blocks, fingerprint: fingerprinter.digest() };
}

/**
 * Large files are announced first (pending until the commit) with their block list, and sent
 * from that list (announced-upload.ts); undefined when a block changed since the listing with
 * the file's stat still as before: then it is uploaded as read.
 */
async function sendAnnounced(
  context: ExecuteContext,
  operation: Upload,
  local: LocalItem,
  namespace: NamespaceId,
  key: Uint8Array,
): Promise<SentFile | 'stale' | undefined> {
  const list = await listFile(context, operation, local, namespace);
  await announceList(context, operation, local, list);
  crashPoint('upload:before-blocks');
  const missing = await missingOf(
    context,
    namespace,
    list.blocks.filter((block) => !block.known),
  );
  if ((await sendListed(context, operation.path, namespace, key, missing)) === 'sent') return list;
  const now = await context.fs.stat(operation.path, context.signal);
  return isUnchanged(local, now) ? undefined : 'stale';
}

export async function uploadFile(
  context: ExecuteContext,
  operation: Upload,
): Promise<ExecuteOutcome> {
  const local = await uploadPremise(context, operation);
  if (local === undefined) return 'stale';
  const namespace = namespaceFor(context, operation.path);
  const key = await context.namespaceKey(namespace, context.signal);

  let sent: SentFile;
  try {
    let announced: SentFile | 'stale' | undefined;
    if (local.sizeBytes >= ANNOUNCE_MIN_BYTES) {
      announced = await sendAnnounced(context, operation, local, namespace, key);
    } else {
      crashPoint('upload:before-blocks');
    }
    if (announced === 'stale') return 'stale';
    sent = announced ?? (await sendAsRead(context, operation, local, namespace, key));
  } catch (error) {
    // A file cut short while it was read (chunked against its list, it reads by range) is
    // stale, not failed: the next scan uploads its final content.
    if (context.signal.aborted) throw error;
    if (!isUnchanged(local, await context.fs.stat(operation.path, context.signal))) return 'stale';
    throw error;
  }
  const after = await context.fs.stat(operation.path, context.signal);
  if (!isUnchanged(local, after)) return 'stale';
  const prepared = preparedUpload({
    operation,
    local,
    namespace,
    blocks: sent.blocks.map(refOfListed),
    fingerprint: sent.fingerprint,
  });
  const commit = () => context.remote.commitFile(commitRequestOf(prepared), context.signal);
  recordIntent(context, prepared);
  crashPoint('upload:before-commit');
  let result = await commit();
  crashPoint('upload:after-commit');
  if (result.kind === 'missing_blocks') {
    // Collected between our check and the commit (or never sent by a crashed attempt): send
    // them again, from the list (each checked against it as it is read).
    const wanted = new Set(result.missing);
    const again = sent.blocks.filter((block) => wanted.has(block.id));
    if ((await sendListed(context, operation.path, namespace, key, again)) === 'changed') {
      clearCommitIntent(context.state, operation.itemId);
      return 'stale';
    }
    result = await commit();
  }
  if (result.kind !== 'committed') return settleRefusedUpload(context, prepared, result);
  const file = result.file;
  context.state.transaction(() => recordUpload(context, prepared, file));
  context.report.synced('upload', operation.path, { sizeBytes: prepared.sizeBytes });
  return 'done';
}
