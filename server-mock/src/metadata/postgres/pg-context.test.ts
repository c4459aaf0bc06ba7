/**
 * The write locks of PgContext on a real PostgreSQL, between two contexts (two instances):
 * scoped writes of different owners run at once, one owner's wait for each other, an unscoped
 * write waits for every scoped one, and insertSequenced() numbers event ids in commit order. A write
 * "waits" when PostgreSQL shows its advisory lock request not granted (pg_locks), never after a
 * fixed delay.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import { postgresForSuite } from '../../../test/services/postgres-for-suite.js';
import { createSqlMetadataStore } from '../sql/sql-metadata-store.js';
import { RequestAbandonedError, runForRequest } from '../../request-signal.js';
import { PgContext } from './pg-context.js';

const postgres = postgresForSuite();
let url: string;
let one: PgContext;
let two: PgContext;
let admin: pg.Client;

const ANN = 'ns_ann' as NamespaceId;
const ANN_SHARE = 'ns_ann_share' as NamespaceId;
const BOB = 'ns_bob' as NamespaceId;

beforeAll(async () => {
  url = postgres().url;
  one = new PgContext({ url });
  two = new PgContext({ url });
  await one.migrate();
  const store = createSqlMetadataStore(one, {
    durable: async () => undefined,
    isHealthy: async () => true,
    close: async () => undefined,
  });
  for (const [id, root] of [
    ['u_ann', ANN],
    ['u_bob', BOB],
  ] as const) {
    await store.createUser({
      id: id as UserId,
      email: `${id}@example.com`,
      name: id,
      passwordHash: 'x',
      quotaBytes: 1000,
      rootNamespace: root,
      wrappedKey: new Uint8Array([1]),
      nowMs: 1,
    });
  }
  // A second namespace of Ann's (a folder she shares): the same owner, so the same lock.
  await one.write(async () => {
    await one
      .stmt(
        `INSERT INTO namespace (id, kind, owner_id, created_ms)
         SELECT ?, 'shared', owner_id, created_ms FROM namespace WHERE id = ?`,
      )
      .run(ANN_SHARE, ANN);
  });
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  // A failed test may leave a transaction waiting: end every session so the pools can close.
  await admin?.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()',
  );
  await admin?.end();
  await Promise.all([one?.close(), two?.close()]);
});

/** A write that holds its locks until `release()`. */
function heldWrite(ctx: PgContext, scope?: { namespaces: string[] }) {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const done = ctx.write(async () => {
    entered();
    await gate;
  }, scope);
  return { inside, done, release };
}

/** Rejects when `promise` takes longer than a bound (a write that never gets its locks). */
async function bounded<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once some backend waits for an advisory lock (rejects if none does, in 10 s). */
async function someoneWaits(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no write waits for a lock');
}

/** Whether `promise` has settled by now (after pending callbacks ran). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('PgContext write locks', () => {
  it("runs two owners' scoped writes at once, on two instances", async () => {
    const ann = heldWrite(one, { namespaces: [ANN] });
    await ann.inside;
    // Bob's write completes while Ann's transaction is still open.
    try {
      await bounded(two.write(async () => undefined, { namespaces: [BOB] }));
    } finally {
      ann.release();
      await ann.done;
    }
  });

  it("makes one owner's writes wait for each other, across its namespaces", async () => {
    const first = heldWrite(one, { namespaces: [ANN] });
    await first.inside;
    const second = two.write(async () => 'second', { namespaces: [ANN_SHARE] });
    await someoneWaits();
    expect(await settled(second)).toBe(false);
    first.release();
    expect(await second).toBe('second');
  });

  it('makes an unscoped write wait for every scoped one, and scoped ones wait for it', async () => {
    const scoped = heldWrite(one, { namespaces: [BOB] });
    await scoped.inside;
    const unscoped = heldWrite(two);
    await someoneWaits();
    expect(await settled(unscoped.done)).toBe(false);
    scoped.release();
    await unscoped.inside;
    const later = one.write(async () => 'later', { namespaces: [ANN] });
    await someoneWaits();
    expect(await settled(later)).toBe(false);
    unscoped.release();
    await unscoped.done;
    expect(await later).toBe('later');
  });

  it('lets a write of single statements (no namespaces) run beside an owner', async () => {
    const ann = heldWrite(one, { namespaces: [ANN] });
    await ann.inside;
    try {
      await bounded(two.write(async () => undefined, { namespaces: [] }));
    } finally {
      ann.release();
      await ann.done;
    }
  });

  const insertEvent = (ctx: PgContext, namespace: string, path: string) =>
    ctx.insertSequenced(
      `INSERT INTO event (namespace_id, kind, path, from_path, actor_id, device_id, time_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      namespace,
      'file_added',
      path,
      null,
      namespace === BOB ? 'u_bob' : 'u_ann',
      null,
      1,
    );
  const eventIds = async (path: string) =>
    (
      await admin.query<{ id: number }>('SELECT id FROM event WHERE path = $1 ORDER BY id', [path])
    ).rows.map((row) => Number(row.id));

  it('numbers sequenced rows in commit order, without holding a lock until then', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let annInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (annInserted = resolve));
    const ann = one.write(
      async () => {
        await insertEvent(one, ANN, '/order-ann');
        annInserted();
        await gate;
      },
      { namespaces: [ANN] },
    );
    await inserted;
    try {
      // Bob's event is inserted after Ann's but commits first: it gets the smaller id.
      await bounded(two.write(() => insertEvent(two, BOB, '/order-bob'), { namespaces: [BOB] }));
    } finally {
      release();
    }
    await ann;
    const [bob] = await eventIds('/order-bob');
    const [annId] = await eventIds('/order-ann');
    expect(bob).toBeLessThan(annId!);
  });

  it('drops the sequenced rows of a rolled-back savepoint, and keeps hostile text as it is', async () => {
    const hostile = "/it's \\ a $1 '); DROP TABLE event; --";
    await one.write(
      async () => {
        await insertEvent(one, ANN, hostile);
        await one
          .write(
            async () => {
              await insertEvent(one, ANN, '/rolled-back');
              throw new Error('refused');
            },
            { namespaces: [ANN] },
          )
          .catch(() => undefined);
      },
      { namespaces: [ANN] },
    );
    expect(await eventIds('/rolled-back')).toEqual([]);
    expect(await eventIds(hostile)).toHaveLength(1);
    await expect(
      one.write(() => insertEvent(one, ANN, 'nul\u0000'), { namespaces: [ANN] }),
    ).rejects.toThrow(/NUL/);
  });

  it('refuses a nested write that reaches beyond the scope around it', async () => {
    await expect(
      one.write(async () => await one.write(async () => undefined, { namespaces: [BOB] }), {
        namespaces: [ANN],
      }),
    ).rejects.toThrow(/beyond the scope/);
    await expect(
      one.write(async () => await one.write(async () => undefined), { namespaces: [ANN] }),
    ).rejects.toThrow(/beyond the scope/);
    // Within it, or inside an unscoped write: a savepoint.
    await one.write(async () => await one.write(async () => undefined, { namespaces: [ANN] }), {
      namespaces: [ANN, BOB],
    });
    await one.write(async () => await one.write(async () => undefined, { namespaces: [BOB] }));
  });

  it('takes a namespace id as a value, never as SQL', async () => {
    const hostile = "x'); SELECT pg_sleep(10); --";
    expect(await one.write(async () => 'ran', { namespaces: [hostile] })).toBe('ran');
    expect(await one.write(async () => 'ran', { namespaces: ['ns\u0000x', ANN] })).toBe('ran');
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM namespace');
    expect(rows[0].n).toBe(3);
  });

  it('starts nothing for a request whose client left, and rolls back one that leaves midway', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(
      runForRequest(gone.signal, () => one.write(async () => 'ran', { namespaces: [ANN] })),
    ).rejects.toBeInstanceOf(RequestAbandonedError);
    const leaving = new AbortController();
    await expect(
      runForRequest(leaving.signal, () =>
        one.write(async () => {
          await one.stmt(`UPDATE namespace SET used_bytes = 12345 WHERE id = ?`).run(ANN);
          leaving.abort();
          await one.stmt('SELECT 1').get();
        }),
      ),
    ).rejects.toBeInstanceOf(RequestAbandonedError);
    const { rows } = await admin.query('SELECT used_bytes FROM namespace WHERE id = $1', [ANN]);
    expect(Number(rows[0].used_bytes)).toBe(0);
    // No connection is left checked out.
    expect(one.pool.totalCount - one.pool.idleCount).toBe(0);
  });
});
