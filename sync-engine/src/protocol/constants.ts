/**
 * Numbers and header names both sides of the wire agree on. Units are in the names.
 */

/** Header carrying the total size of a resumable upload when the session starts. */
export const UPLOAD_CONTENT_LENGTH_HEADER = 'x-upload-content-length';

/** Header on file responses carrying the revision that was served. */
export const REV_HEADER = 'x-ferry-rev';
/** Header on file responses carrying the SHA-256 (hex) of the whole file's plaintext. */
export const CONTENT_HASH_HEADER = 'x-ferry-content-hash';

/** Storage quota of a new account: 10 GiB, the seed's free tier. */
export const DEFAULT_QUOTA_BYTES = 10 * 1024 ** 3;

/** A resumable upload session lives this long after it was started. */
export const UPLOAD_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** Default and largest `limit` of GET /changes. */
export const DEFAULT_CHANGES_LIMIT = 1000;
export const MAX_CHANGES_LIMIT = 10_000;

/** Default and largest `limit` of GET /activity. */
export const DEFAULT_ACTIVITY_LIMIT = 100;
export const MAX_ACTIVITY_LIMIT = 1000;

/** Default and largest `limit` of GET /files/list_revisions. */
export const DEFAULT_REVISIONS_LIMIT = 100;
export const MAX_REVISIONS_LIMIT = 1000;

/** Default and bounds of the long-poll `timeout` query parameter, in seconds. */
export const DEFAULT_LONGPOLL_TIMEOUT_S = 30;
export const MIN_LONGPOLL_TIMEOUT_S = 1;
export const MAX_LONGPOLL_TIMEOUT_S = 480;

/** Most hashes one POST /blocks/check may ask about. */
export const MAX_CHECK_HASHES = 10_000;
/** Most blocks one commit may name (16 TiB of 4 MiB blocks would be far more; big enough). */
export const MAX_COMMIT_BLOCKS = 100_000;
/** Largest plaintext block an announce may list (the chunker's maximum, CHUNK_MAX_BYTES). */
export const MAX_BLOCK_PLAIN_BYTES = 16 * 1024 * 1024;
/** Longest `waitMs` of GET /blocks/{namespace}/{id}: how long a reader may wait for a block. */
export const MAX_BLOCK_WAIT_MS = 30_000;

/** Password length bounds at registration, in characters. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;
