/**
 * The server's master key: wraps every namespace data key. Taken from configuration (base64 or
 * hex, e.g. FERRY_MASTER_KEY) or from `<dataDir>/master.key`, created on first start with mode
 * 0600. Losing it makes every stored block unreadable: docs/server.md says how to back it up.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ServerError } from '../errors.js';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

/** Decodes a configured key: 64 hex characters or base64 of 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new ServerError(
      'invalid_request',
      `the master key must be ${MASTER_KEY_BYTES} bytes, as 64 hex characters or base64`,
    );
  }
  return key;
}

/** The configured key, or the key file's (created with a fresh random key when absent). */
export async function loadMasterKey(options: {
  dataDir: string;
  configured: string | undefined;
}): Promise<Buffer> {
  if (options.configured !== undefined) return parseMasterKey(options.configured);
  const file = path.join(options.dataDir, MASTER_KEY_FILE);
  await mkdir(options.dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists: two servers starting at once never overwrite a key.
    await writeFile(file, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ServerError('internal_error', `create master key file ${file}`, { cause: error });
    }
  }
  return parseMasterKey(await readFile(file, 'utf8'));
}
