/**
 * JSON-schema fragments shared by the route modules (validation and the OpenAPI document).
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

/** Headers of every authenticated route. */
export const authHeadersSchema = {
  type: 'object',
  properties: { authorization: { type: 'string' } },
} as const;

export const bearerSecurity = [{ bearer: [] }];

/** The schema parts every authenticated route shares: bearer security, headers, OpenAPI tag. */
export function authenticatedSchema(tag: string) {
  return { security: bearerSecurity, headers: authHeadersSchema, tags: [tag] };
}

/** Standard error responses listed in the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema]));
}

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
