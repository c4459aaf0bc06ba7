/**
 * Per-namespace data keys: 32 random bytes each, stored only wrapped (AES-256-GCM under the
 * master key, with the namespace id as associated data so a wrapped key cannot be moved to
 * another namespace). Unwrapped keys are cached in memory; they are never logged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { NamespaceId } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** nonce ‖ ciphertext ‖ tag of `key` under `master`, bound to `namespace`. */
export function wrapKey(master: Buffer, namespace: NamespaceId, key: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master, nonce);
  cipher.setAAD(Buffer.from(namespace, 'utf8'));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The inverse of wrapKey; throws when the master key or namespace does not match. */
export function unwrapKey(master: Buffer, namespace: NamespaceId, wrapped: Uint8Array): Uint8Array {
  const bytes = Buffer.from(wrapped);
  if (bytes.length !== NONCE_BYTES + KEY_BYTES + TAG_BYTES) {
    throw new ServerError('internal_error', `wrapped key of ${namespace} has a bad length`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(namespace, 'utf8'));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES + KEY_BYTES));
    return new Uint8Array(
      Buffer.concat([
        decipher.update(bytes.subarray(NONCE_BYTES, NONCE_BYTES + KEY_BYTES)),
        decipher.final(),
      ]),
    );
  } catch (error) {
    throw new ServerError(
      'internal_error',
      `cannot unwrap the key of ${namespace}: wrong master key?`,
      { cause: error },
    );
  }
}

/** Reads a namespace's wrapped key (from the metadata store). */
export type WrappedKeyReader = (namespace: NamespaceId) => Promise<Uint8Array | undefined>;

/** Creates and unwraps namespace keys; caches unwrapped ones. */
export class NamespaceKeyring {
  private readonly cache = new Map<NamespaceId, Uint8Array>();

  constructor(
    private readonly master: Buffer,
    private readonly readWrapped: WrappedKeyReader,
  ) {}

  /** A fresh key for a new namespace: the plain key (cached) and its wrapped form to store. */
  createKey(namespace: NamespaceId): { key: Uint8Array; wrapped: Uint8Array } {
    const key = new Uint8Array(randomBytes(KEY_BYTES));
    this.cache.set(namespace, key);
    return { key, wrapped: wrapKey(this.master, namespace, key) };
  }

  /** The namespace's data key; `not_found` when the namespace has none. */
  async keyOf(namespace: NamespaceId): Promise<Uint8Array> {
    const cached = this.cache.get(namespace);
    if (cached) return cached;
    const wrapped = await this.readWrapped(namespace);
    if (!wrapped) throw new ServerError('not_found', `namespace ${namespace} has no key`);
    const key = unwrapKey(this.master, namespace, wrapped);
    this.cache.set(namespace, key);
    return key;
  }
}
