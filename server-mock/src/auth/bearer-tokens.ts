/**
 * Device bearer tokens: 32 random bytes (base64url) handed to the device once; the server keeps
 * only their SHA-256, so a leaked database does not leak sessions.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new random token. */
export function createBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 under which a token is stored and looked up. */
export function hashBearerToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}
