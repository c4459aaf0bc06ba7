/**
 * JSON Schemas of the wire shapes, shared by the server (request validation and the OpenAPI
 * document) and the client (validating what it receives). Plain data: no validator here.
 */

/** The error body every failure returns. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        currentRev: { type: ['string', 'null'] },
        missing: { type: 'array', items: { type: 'string' } },
        namespace: { type: 'string' },
        reason: { type: 'string' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** A remote path as sent; its rules are checked by parsePath in the handler (for 400 invalid_path). */
export const pathSchema = { type: 'string', minLength: 1, maxLength: 16384 } as const;
export const revSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const namespaceSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const fileIdSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const blockIdSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/** FileMetadata (file-types.ts). */
export const fileMetadataSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['file'] },
    path: { type: 'string' },
    fileId: { type: 'string' },
    namespace: { type: 'string' },
    rev: { type: ['string', 'null'] },
    size: { type: 'integer' },
    contentHash: { type: ['string', 'null'] },
    modified: { type: ['integer', 'null'] },
    status: { type: 'string', enum: ['pending', 'uploaded'] },
  },
  required: ['type', 'path', 'fileId', 'namespace', 'rev', 'size', 'status'],
} as const;

/** EntryMetadata: a file or a folder (file-types.ts). */
export const entryMetadataSchema = {
  type: 'object',
  properties: {
    ...fileMetadataSchema.properties,
    type: { type: 'string', enum: ['file', 'folder'] },
    mount: {
      type: 'object',
      properties: { namespace: { type: 'string' }, role: { type: 'string' } },
    },
  },
  required: ['type', 'path', 'fileId', 'namespace'],
} as const;
