/**
 * Reads the bearer token from a request's `Authorization` headers. The scheme is
 * case-insensitive (RFC 9110 §11.1) and is followed by one or more spaces (RFC 9110 §11.4:
 * `credentials = auth-scheme [ 1*SP token68 ]`); no other whitespace, nothing after the token.
 * Node keeps only the first `Authorization` header in `headers.authorization`, so the count
 * comes from every header line as sent (`headersDistinct`): more than one is refused.
 */

/** The outcome: a token, or why there is none. */
export type AuthorizationOutcome =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'repeated' };

/** Our tokens are 32 random bytes in base64url (43 characters); a little slack either way. */
const BEARER = /^bearer +([A-Za-z0-9_-]{16,128})$/i;

/** `values`: every `Authorization` header of the request, in order (Node's `headersDistinct`). */
export function readBearerToken(values: readonly string[] | undefined): AuthorizationOutcome {
  if (values === undefined || values.length === 0) return { kind: 'missing' };
  if (values.length > 1) return { kind: 'repeated' };
  const token = BEARER.exec(values[0] ?? '')?.[1];
  return token === undefined ? { kind: 'malformed' } : { kind: 'token', token };
}
