/**
 * Branded identifiers shared by the client, the server and the UI. A brand makes the compiler
 * reject a bare string where an id of a particular kind is expected; values are created only by
 * the parse/validate functions that check their shape.
 */
declare const brand: unique symbol;

/** A string known to be of kind `K`. */
export type Brand<T, K extends string> = T & { readonly [brand]: K };

/** SHA-256 of a plaintext block, 64 lowercase hex characters. */
export type BlockId = Brand<string, 'BlockId'>;
/** A namespace: a user's root or a shared folder. */
export type NamespaceId = Brand<string, 'NamespaceId'>;
/** An immutable file revision, opaque to clients. */
export type Rev = Brand<string, 'Rev'>;
/** A position in a user's journal, opaque to clients. */
export type Cursor = Brand<string, 'Cursor'>;
/** A position in a user's activity feed (GET /activity), opaque to clients. */
export type ActivityCursor = Brand<string, 'ActivityCursor'>;
export type UserId = Brand<string, 'UserId'>;
export type DeviceId = Brand<string, 'DeviceId'>;

const BLOCK_ID_PATTERN = /^[0-9a-f]{64}$/;

/** True when `value` has the shape of a block id (64 lowercase hex characters). */
export function isBlockId(value: string): value is BlockId {
  return BLOCK_ID_PATTERN.test(value);
}

/** The stable identity of a file or folder: it survives moves, so history follows it. */
export type FileId = Brand<string, 'FileId'>;
/** A share of a folder with one recipient. */
export type ShareId = Brand<string, 'ShareId'>;
