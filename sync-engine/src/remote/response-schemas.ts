/**
 * What the client accepts from the server, endpoint by endpoint, as schemas for findShapeProblem.
 * Stricter than the server's own serialisation schemas where the engine depends on a field:
 * paths obey the path rules, sizes and times are non-negative integers, an uploaded file has a
 * revision and a content hash, change entries are one of the three tags.
 */
import {
  MAX_COMMIT_BLOCKS,
  blockIdSchema,
  errorSchema,
  fileIdSchema,
  namespaceSchema,
  revSchema,
} from '../protocol/index.js';
import type { Shape } from './check-shape.js';

export { errorSchema };

const path = { type: 'string', format: 'remote-path' } as const satisfies Shape;
/** Opaque ids the server makes (users, devices, shares, tokens): bounded, never empty. */
const opaqueId = { type: 'string', minLength: 1, maxLength: 256 } as const satisfies Shape;
const count = { type: 'integer', minimum: 0 } as const satisfies Shape;
const epochMs = { type: 'integer', minimum: 0 } as const satisfies Shape;
const sha256Hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const satisfies Shape;
const role = { type: 'string', enum: ['viewer', 'editor'] } as const satisfies Shape;
const cursor = { type: 'string', minLength: 1 } as const satisfies Shape;

function object(
  properties: Record<string, Shape>,
  required: readonly string[] = Object.keys(properties),
): Shape {
  return { type: 'object', properties, required };
}

const fileBase = {
  type: { type: 'string', enum: ['file'] },
  path,
  fileId: fileIdSchema,
  namespace: namespaceSchema,
  size: count,
  modified: epochMs,
} as const satisfies Record<string, Shape>;

/** A file with content: what commit, upload and restore answer. */
export const uploadedFileSchema = object({
  ...fileBase,
  rev: revSchema,
  contentHash: sha256Hex,
  status: { type: 'string', enum: ['uploaded'] },
});

/** A file only announced: no revision yet (null), no content hash (empty). */
const pendingFileSchema = object({
  ...fileBase,
  rev: { type: ['string', 'null'], maxLength: 64 },
  contentHash: { type: 'string', maxLength: 64 },
  status: { type: 'string', enum: ['pending'] },
});

/** Any file: what listings and announce answer. */
export const fileSchema: Shape = { anyOf: [uploadedFileSchema, pendingFileSchema] };

const mount = object({ namespace: namespaceSchema, role });

export const folderSchema = object(
  {
    type: { type: 'string', enum: ['folder'] },
    path,
    fileId: fileIdSchema,
    namespace: namespaceSchema,
    mount,
  },
  ['type', 'path', 'fileId', 'namespace'],
);

export const entrySchema: Shape = { anyOf: [fileSchema, folderSchema] };

export const registerSchema = object({ userId: opaqueId, rootNamespace: namespaceSchema });
export const loginSchema = object({
  token: { type: 'string', minLength: 1, maxLength: 1024 },
  deviceId: opaqueId,
  userId: opaqueId,
  rootNamespace: namespaceSchema,
});
export const signOutSchema = object({ deviceId: opaqueId });
export const devicesSchema = object({
  devices: {
    type: 'array',
    items: object({
      id: opaqueId,
      name: { type: 'string' },
      created: epochMs,
      lastSeen: epochMs,
      current: { type: 'boolean' },
    }),
  },
});
export const accountSchema = object({
  userId: opaqueId,
  email: { type: 'string' },
  name: { type: 'string' },
  usedBytes: count,
  quotaBytes: count,
  rootNamespace: namespaceSchema,
});
export const keySchema = object({ namespace: namespaceSchema, key: { type: 'string' } });

export const checkBlocksSchema = object({ missing: { type: 'array', items: blockIdSchema } });
export const putBlockSchema = object({ id: blockIdSchema, stored: { type: 'boolean' } });

export const listSchema = object({ entries: { type: 'array', items: entrySchema } });
export const revisionsSchema = object({
  fileId: fileIdSchema,
  files: { type: 'array', items: object({ fileId: fileIdSchema, deleted: { type: 'boolean' } }) },
  revisions: {
    type: 'array',
    items: object({
      rev: revSchema,
      fileId: fileIdSchema,
      size: count,
      contentHash: sha256Hex,
      modified: epochMs,
      committed: epochMs,
      deviceId: { type: ['string', 'null'] },
      deviceName: { type: ['string', 'null'] },
      author: { type: 'string' },
      authorId: opaqueId,
    }),
  },
});
/**
 * A version's blocks in file order, as block lists and announces give them: at most as many
 * blocks as a commit may name, none of them empty.
 */
const fileBlockListSchema = {
  type: 'array',
  maxItems: MAX_COMMIT_BLOCKS,
  items: object({ id: blockIdSchema, size: { type: 'integer', minimum: 1 } }),
} as const;

/** A version's block list. */
export const fileBlocksSchema = object({
  path,
  fileId: fileIdSchema,
  namespace: namespaceSchema,
  rev: revSchema,
  size: count,
  contentHash: sha256Hex,
  modified: epochMs,
  blocks: fileBlockListSchema,
});
/** GET /files/announced_blocks: like a block list, without a revision (none exists yet). */
export const announcedBlocksSchema = object({
  path,
  fileId: fileIdSchema,
  namespace: namespaceSchema,
  size: count,
  contentHash: sha256Hex,
  modified: epochMs,
  blocks: fileBlockListSchema,
});
export const deleteSchema = object({ path, deleted: count });
export const moveSchema = object({ from: path, to: path, moved: count });

const changeBase = { path, fileId: fileIdSchema, namespace: namespaceSchema } as const;
const changeEntrySchema: Shape = {
  anyOf: [
    object({ tag: { type: 'string', enum: ['deleted'] }, ...changeBase }),
    object({ tag: { type: 'string', enum: ['folder'] }, ...changeBase, movedFrom: path, mount }, [
      'tag',
      'path',
      'fileId',
      'namespace',
    ]),
    {
      anyOf: [uploadedFileSchema, pendingFileSchema].map((file) => ({
        ...file,
        properties: {
          ...file.properties,
          type: {},
          tag: { type: 'string', enum: ['file'] },
          movedFrom: path,
        },
        required: [...(file.required ?? []).filter((name) => name !== 'type'), 'tag'],
      })),
    },
  ],
};
export const latestCursorSchema = object({ cursor });
export const changesSchema = object({
  entries: { type: 'array', items: changeEntrySchema },
  cursor,
  hasMore: { type: 'boolean' },
});
export const longPollSchema = object(
  { changes: { type: 'boolean' }, backoff: { type: 'integer', minimum: 0 } },
  ['changes'],
);

const share = object({
  id: opaqueId,
  namespace: namespaceSchema,
  role,
  ownerEmail: { type: 'string' },
  recipientEmail: { type: 'string' },
  // The caller's view of the folder; empty when the server lost track of a mount.
  path: { type: 'string' },
  created: epochMs,
});
export const shareSchema = share;
export const sharesSchema = object({
  owned: { type: 'array', items: share },
  received: { type: 'array', items: share },
});
export const deleteShareSchema = object({ id: opaqueId });

export const activitySchema = object({
  events: {
    type: 'array',
    items: object(
      {
        id: count,
        kind: {
          type: 'string',
          enum: [
            'file_added',
            'file_edited',
            'file_deleted',
            'file_moved',
            'file_restored',
            'folder_created',
            'folder_shared',
            'share_changed',
            'share_revoked',
          ],
        },
        path: { type: 'string' },
        fromPath: { type: 'string' },
        namespace: namespaceSchema,
        actor: { type: 'string' },
        actorId: opaqueId,
        deviceName: { type: ['string', 'null'] },
        time: epochMs,
      },
      ['id', 'kind', 'path', 'namespace', 'actor', 'actorId', 'deviceName', 'time'],
    ),
  },
  cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
  hasMore: { type: 'boolean' },
});
