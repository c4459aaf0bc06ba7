import { stat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NamespaceId } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import { loadMasterKey, MASTER_KEY_FILE, parseMasterKey } from './master-key.js';
import { NamespaceKeyring, unwrapKey, wrapKey } from './namespace-keyring.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-keys-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const ns = (s: string) => s as NamespaceId;

describe('master key', () => {
  it('is created once with mode 0600 and read back unchanged', async () => {
    const first = await loadMasterKey({ dataDir: dir, configured: undefined });
    expect(first).toHaveLength(32);
    expect((await stat(path.join(dir, MASTER_KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await loadMasterKey({ dataDir: dir, configured: undefined });
    expect(again.equals(first)).toBe(true);
  });

  it('prefers a configured key, in hex or base64, and refuses a wrong length', async () => {
    const hex = 'ab'.repeat(32);
    expect((await loadMasterKey({ dataDir: dir, configured: hex })).toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(parseMasterKey(b64).equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(ServerError);
  });

  it('refuses a corrupt key file rather than inventing a new key', async () => {
    await writeFile(path.join(dir, MASTER_KEY_FILE), 'not a key');
    await expect(loadMasterKey({ dataDir: dir, configured: undefined })).rejects.toThrow(
      ServerError,
    );
  });
});

describe('namespace keys', () => {
  const master = Buffer.alloc(32, 1);

  it('wrap and unwrap, bound to their namespace and master key', () => {
    const key = new Uint8Array(32).fill(9);
    const wrapped = wrapKey(master, ns('ns_a'), key);
    expect(Buffer.from(unwrapKey(master, ns('ns_a'), wrapped)).equals(Buffer.from(key))).toBe(true);
    expect(() => unwrapKey(master, ns('ns_b'), wrapped)).toThrow(ServerError);
    expect(() => unwrapKey(Buffer.alloc(32, 2), ns('ns_a'), wrapped)).toThrow(ServerError);
  });

  it('the keyring unwraps stored keys and reports unknown namespaces as not_found', async () => {
    const stored = new Map<NamespaceId, Uint8Array>();
    const creator = new NamespaceKeyring(master, async (id) => stored.get(id));
    const { key, wrapped } = creator.createKey(ns('ns_x'));
    stored.set(ns('ns_x'), wrapped);
    const reader = new NamespaceKeyring(master, async (id) => stored.get(id));
    expect(Buffer.from(await reader.keyOf(ns('ns_x'))).equals(Buffer.from(key))).toBe(true);
    await expect(reader.keyOf(ns('ns_unknown'))).rejects.toMatchObject({ code: 'not_found' });
  });
});
