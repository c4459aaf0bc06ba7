/**
 * The schema parts of authenticated routes: bearer security, headers, OpenAPI tags, and the error
 * responses listed per route. The wire shapes themselves live in the protocol (wire-schemas.ts).
 */
import { errorSchema } from 'sync-engine/protocol';

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
