/**
 * Wire shapes and limits of the batch endpoints (docs/protocol.md "Batches"): many commits, many
 * block lists, many blocks up or down in one request each, so that a tree of many small files
 * costs a few requests instead of four or five per file.
 */
import type { WireErrorBody } from './errors.js';
import type { BlockId, NamespaceId, Rev } from './ids.js';
import type { CommitRequest, FileBlocksResponse, FileMetadata } from './file-types.js';

/** Most commits in one POST /files/commit_batch. */
export const MAX_BATCH_COMMITS = 1000;
/** Most files in one POST /files/blocks_batch. */
export const MAX_BATCH_FILES = 1000;
/** Most blocks in one POST /blocks/upload_batch or /blocks/download_batch. */
export const MAX_BATCH_BLOCKS = 4096;
/** Largest body of POST /blocks/upload_batch, frame headers included: 64 MiB. */
export const MAX_BATCH_UPLOAD_BYTES = 64 * 1024 * 1024;

/** POST /files/commit_batch body: each entry is a POST /files/commit body; paths distinct. */
export interface CommitBatchRequest {
  readonly commits: readonly CommitRequest[];
}

/** The error of one entry of a batch: the body POST /files/commit would have answered. */
export type BatchEntryError = WireErrorBody['error'];

/** One result of a commit batch: the commit's answer, with the status it would have had. */
export type CommitBatchEntry =
  | { readonly status: 200; readonly file: FileMetadata }
  | { readonly status: number; readonly error: BatchEntryError };

/** POST /files/commit_batch response: one result per commit, in request order. */
export interface CommitBatchResponse {
  readonly results: readonly CommitBatchEntry[];
}

/** POST /blocks/upload_batch response (the body is a sequence of block frames). */
export interface UploadBatchResponse {
  /** Ids this request stored, in frame order. */
  readonly stored: readonly BlockId[];
  /** Ids the namespace already held (nothing written for them), in frame order. */
  readonly present: readonly BlockId[];
}

/** POST /blocks/download_batch body; the answer is the blocks' frames in this order. */
export interface DownloadBatchRequest {
  readonly namespace: NamespaceId;
  readonly ids: readonly BlockId[];
}

/** One file of POST /files/blocks_batch, as the query of GET /files/blocks. */
export interface FileBlocksBatchItem {
  readonly path: string;
  readonly rev?: Rev;
}

/** POST /files/blocks_batch body. */
export interface FileBlocksBatchRequest {
  readonly files: readonly FileBlocksBatchItem[];
}

/** One answer of a block-list batch: GET /files/blocks's answer, or its error. */
export type FileBlocksBatchEntry =
  | ({ readonly status: 200 } & FileBlocksResponse)
  | { readonly status: number; readonly error: BatchEntryError };

/** POST /files/blocks_batch response: one answer per file, in request order. */
export interface FileBlocksBatchResponse {
  readonly files: readonly FileBlocksBatchEntry[];
}
