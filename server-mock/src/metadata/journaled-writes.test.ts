/**
 * The journaling path on a real SQLite store: every journaled write publishes the position it
 * reached, once per namespace, before it returns; a refused write publishes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId, RemotePath, UserId } from 'sync-engine/protocol';
import type { BusMessage, NotificationBus } from '../notify/index.js';
import { JOURNAL_HEADS, withJournalPublishing } from './journaled-writes.js';
import type { MetadataStore } from './metadata-store.js';
import { METHOD_KINDS } from './method-kinds.js';
import { openSqliteMetadataStore } from './sqlite/sqlite-metadata-store.js';

const NS = 'ns_j' as NamespaceId;
const USER = 'u_j' as UserId;
const p = (s: string) => s as RemotePath;
const block = '0'.repeat(63) + '1';
let dir: string;
let raw: MetadataStore;
let store: MetadataStore;
let published: BusMessage[];
let now = 1000;
const actor = () => ({ userId: USER, deviceId: null, nowMs: now++ });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-journal-'));
  raw = openSqliteMetadataStore(path.join(dir, 'meta.db'));
  published = [];
  const bus = {
    publish: async (message: BusMessage) => void published.push(message),
  } as unknown as NotificationBus;
  store = withJournalPublishing(raw, bus);
  await store.createUser({
    id: USER,
    email: 'j@example.com',
    name: 'J',
    passwordHash: 'x',
    quotaBytes: 10_000,
    rootNamespace: NS,
    wrappedKey: new Uint8Array([1]),
    nowMs: now,
  });
  await store.recordBlock({
    namespace: NS,
    id: block as BlockId,
    plainSize: 10,
    encodedSize: 12,
    nowMs: now,
  });
});
afterEach(async () => {
  await raw.close();
  await rm(dir, { recursive: true, force: true });
});

const commitInput = (filePath: string, parentRev: string | null = null) => ({
  namespace: NS,
  path: p(filePath),
  blocks: [block as BlockId],
  size: 10,
  contentHash: 'h',
  modifiedMs: now,
  parentRev: parentRev as never,
  actor: actor(),
  versionLimit: 5,
});

describe('journaled writes publish their wake-ups', () => {
  it('files every write method of the store, and only those', () => {
    const writes = Object.entries(METHOD_KINDS).flatMap(([name, kind]) =>
      kind === 'write' ? [name] : [],
    );
    expect(Object.keys(JOURNAL_HEADS).sort()).toEqual(writes.sort());
  });

  it('publishes each journaled write’s position, and nothing for writes that journal nothing', async () => {
    expect(published).toEqual([]);
    const folder = await store.createFolder(NS, p('/docs'), actor());
    const committed = await store.commitFile(commitInput('/docs/a.txt'));
    const moved = await store.moveEntry({
      namespace: NS,
      from: p('/docs/a.txt'),
      to: p('/docs/b.txt'),
      actor: actor(),
    });
    const deleted = await store.deleteEntry(NS, p('/docs/b.txt'), actor());
    const seqs = [folder, committed, moved, deleted].map((outcome) =>
      'seq' in outcome ? outcome.seq : -1,
    );
    expect(published).toEqual(seqs.map((seq) => ({ topic: NS, seq })));
    const journal = await store.readJournal(NS, 0, 100);
    expect(Math.max(...journal.map((entry) => entry.seq))).toBe(seqs.at(-1));
  });

  it('publishes one position per namespace for a batch, the highest', async () => {
    const outcomes = await store.commitFiles([commitInput('/x.txt'), commitInput('/y.txt')]);
    const last = outcomes.at(-1)!;
    expect(published).toEqual([{ topic: NS, seq: 'seq' in last ? last.seq : -1 }]);
  });

  it('publishes nothing for a refused write', async () => {
    await store.commitFile(commitInput('/a.txt'));
    published.length = 0;
    const stale = await store.commitFile(commitInput('/a.txt', 'rev_not_current'));
    expect(stale.kind).toBe('rev_conflict');
    expect(published).toEqual([]);
  });
});
