/**
 * Test helpers for block-level calls: encode content with a namespace key the way a client does,
 * upload the blocks, commit a file. Real codec, real HTTP.
 */
import { encodeFileBlocks } from 'sync-engine/blocks';
import type { BlockId, FileMetadata, NamespaceId, Rev } from 'sync-engine/protocol';
import type { TestClient, TestResponse } from './test-server.js';

/** One encoded block of some content. */
export interface TestBlock {
  readonly id: BlockId;
  readonly encoded: Uint8Array;
  readonly size: number;
}

/** Chunks and encodes `content` with `key` (one async pass, no pool). */
export async function encodeContent(content: Uint8Array, key: Uint8Array): Promise<TestBlock[]> {
  const blocks: TestBlock[] = [];
  async function* source() {
    yield content;
  }
  for await (const block of encodeFileBlocks(source(), key)) {
    blocks.push({ id: block.id, encoded: block.encoded, size: block.size });
  }
  return blocks;
}

/** PUTs every block to `namespace` (default: the client's root). */
export async function putBlocks(
  client: TestClient,
  blocks: readonly TestBlock[],
  namespace: NamespaceId = client.rootNamespace,
): Promise<TestResponse[]> {
  const responses: TestResponse[] = [];
  for (const block of blocks) {
    responses.push(await client.send('PUT', `/blocks/${namespace}/${block.id}`, block.encoded));
  }
  return responses;
}

/** Encodes, uploads and commits `content` at `path` through the block API. */
export async function commitContent(
  client: TestClient,
  path: string,
  content: Uint8Array,
  options: { parentRev?: Rev | null; namespace?: NamespaceId } = {},
): Promise<TestResponse & { file: FileMetadata }> {
  const namespace = options.namespace ?? client.rootNamespace;
  const blocks = await encodeContent(content, await client.keyOf(namespace));
  await putBlocks(client, blocks, namespace);
  const res = await client.json('POST', '/files/commit', {
    path,
    blocks: blocks.map((b) => b.id),
    size: content.length,
    modified: 1_700_000_000_000,
    parentRev: options.parentRev ?? null,
  });
  return { ...res, file: res.body as FileMetadata };
}

/**
 * Starts a resumable upload of `totalBytes` at `path` and, when `firstPiece` is given, sends it as
 * bytes 0…n-1, leaving the session open. Resolves to the session URL's path.
 * @throws Error when the server does not answer 200 to the start, or 308 to the piece.
 */
export async function startResumableUpload(
  client: TestClient,
  options: { path: string; totalBytes: number; firstPiece?: Uint8Array },
): Promise<string> {
  const started = await client.send(
    'POST',
    `/files/upload?uploadType=resumable&path=${encodeURIComponent(options.path)}`,
    new Uint8Array(0),
    { 'x-upload-content-length': String(options.totalBytes) },
  );
  if (started.status !== 200) throw new Error(`starting an upload got ${started.status}`);
  const sessionPath = new URL(started.headers.get('location') ?? '').pathname;
  const piece = options.firstPiece;
  if (piece) {
    const sent = await client.send('PUT', sessionPath, piece, {
      'content-range': `bytes 0-${piece.length - 1}/${options.totalBytes}`,
    });
    if (sent.status !== 308) throw new Error(`sending the first piece got ${sent.status}`);
  }
  return sessionPath;
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
