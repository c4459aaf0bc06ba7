/**
 * The server as the seed runs it: three API instances behind HAProxy sharing PostgreSQL (metadata),
 * two S3-compatible stores (a primary and a replica) and Redis (wake-ups), all real and on
 * loopback; two real `ferry sync` clients (child processes, a device each) write files through the
 * balancer while the test takes things away one at a time: an API instance (SIGKILL, then back),
 * Redis (killed and restarted), PostgreSQL (crashed and restarted: requests answer 503 meanwhile)
 * and the primary object store (gone for good, the replica serves). After each, both folders
 * converge to every file written so far, byte for byte. The test prints what it did and when,
 * and what each client saw.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startScaleCluster, type ScaleCluster } from './scale-cluster.js';

const FERRY = fileURLToPath(new URL('../../../app/bin/ferry.mjs', import.meta.url));
const PASSWORD = 'scale-out correct horse';
/** Longest wait for the two folders to agree after a failure. */
const CONVERGE_MS = Number(process.env.FERRY_SCALE_CONVERGE_MS ?? 90_000);

let cluster: ScaleCluster;
let root: string;
const started = Date.now();

/** Says what the test did and when (the run's log is the test's record). */
function note(what: string): void {
  console.log(`[+${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);
}

interface Client {
  readonly name: string;
  readonly folder: string;
  readonly home: string;
  /** Engine states seen, in order, without repeats (`idle`, `syncing`, `offline`…). */
  readonly states: string[];
  child?: ChildProcessWithoutNullStreams;
}

function ferryEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FERRY_') && !key.startsWith('AWS_')) env[key] = value;
  }
  return { ...env, CI: 'true', FERRY_PASSWORD: PASSWORD, HOME: path.join(root, 'os-home') };
}

async function ferry(client: Client, args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [FERRY, ...args, '--home', client.home], {
    env: ferryEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${code}: ${out}`);
  return out;
}

function startSync(client: Client): void {
  const child = spawn(
    process.execPath,
    [FERRY, 'sync', '--json', '--folder', client.folder, '--home', client.home],
    { env: ferryEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.end();
  child.stderr.resume();
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const event = JSON.parse(line) as { type?: string; state?: string };
      if (
        event.type === 'state' &&
        event.state !== undefined &&
        event.state !== client.states.at(-1)
      )
        client.states.push(event.state);
    } catch {
      // not an event line
    }
  });
  client.child = child;
}

/** Every file under `folder` (Ferry's own `.ferry` aside): path → SHA-256. */
async function treeOf(folder: string): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(folder, full).split(path.sep).join('/');
    if (relative.startsWith('.ferry/') || relative.includes('conflicted copy')) continue;
    tree.set(
      relative,
      createHash('sha256')
        .update(await readFile(full))
        .digest('hex'),
    );
  }
  return tree;
}

const written = new Map<string, string>();

async function writeOn(client: Client, name: string, bytes: number): Promise<void> {
  const content = randomBytes(bytes);
  await mkdir(path.dirname(path.join(client.folder, name)), { recursive: true });
  await writeFile(path.join(client.folder, name), content);
  written.set(name, createHash('sha256').update(content).digest('hex'));
}

/** Waits until both folders hold exactly every file written so far; how long it took. */
async function converged(a: Client, b: Client, after: string): Promise<void> {
  const start = Date.now();
  const want = JSON.stringify([...written].sort());
  for (;;) {
    const [ta, tb] = await Promise.all([treeOf(a.folder), treeOf(b.folder)]);
    if (JSON.stringify([...ta].sort()) === want && JSON.stringify([...tb].sort()) === want) break;
    if (Date.now() - start > CONVERGE_MS) {
      const missing = (tree: Map<string, string>) =>
        [...written].filter(([name, hash]) => tree.get(name) !== hash).map(([name]) => name);
      throw new Error(
        `not converged ${CONVERGE_MS} ms after ${after}: A lacks ${missing(ta).join(', ')}; B lacks ${missing(tb).join(', ')}; A saw ${a.states.join('>')}, B saw ${b.states.join('>')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  note(`converged after ${after}: ${written.size} files on both, in ${Date.now() - start} ms`);
}

const a: Client = { name: 'A', folder: '', home: '', states: [] };
const b: Client = { name: 'B', folder: '', home: '', states: [] };

beforeAll(async () => {
  cluster = await startScaleCluster();
  root = cluster.root;
  await mkdir(path.join(root, 'os-home'));
  const { balancer, instances } = cluster;
  note(`3 instances on ports ${instances.map((i) => i.port).join(', ')} behind ${balancer.url}`);
  Object.assign(a, { folder: path.join(root, 'A-folder'), home: path.join(root, 'A-home') });
  Object.assign(b, { folder: path.join(root, 'B-folder'), home: path.join(root, 'B-home') });
  await ferry(a, [
    'signup',
    '--server',
    balancer.url,
    '--email',
    'sam@scale.example',
    '--name',
    'Sam',
    '--device',
    'A',
  ]);
  await ferry(b, [
    'login',
    '--server',
    balancer.url,
    '--email',
    'sam@scale.example',
    '--device',
    'B',
  ]);
  startSync(a);
  startSync(b);
}, 180_000);

afterAll(async () => {
  for (const client of [a, b]) client.child?.kill('SIGKILL');
  await cluster?.close();
  console.log(`A saw: ${a.states.join(' > ')}\nB saw: ${b.states.join(' > ')}`);
}, 120_000);

describe('three instances behind a balancer, on PostgreSQL, S3 and Redis', () => {
  it('keeps two clients converging while an instance, Redis, PostgreSQL and the primary store fail', async () => {
    const { balancer, instances, redis, postgres, primary } = cluster;
    await writeOn(a, 'start/a1.bin', 200_000);
    await writeOn(b, 'start/b1.txt', 3_000);
    await converged(a, b, 'the first writes');

    await instances[0]!.kill();
    note(`killed instance 0 (port ${instances[0]!.port}, SIGKILL)`);
    await writeOn(a, 'instance-down/a2.bin', 300_000);
    await writeOn(b, 'instance-down/b2.txt', 5_000);
    await converged(a, b, 'instance 0 was killed');
    await cluster.restartInstance(0);
    note('restarted instance 0 on the same port');

    await redis.kill();
    note('killed Redis');
    await writeOn(a, 'redis-down/a3.txt', 2_000);
    await redis.start();
    note('restarted Redis');
    await writeOn(b, 'redis-back/b3.bin', 100_000);
    await converged(a, b, 'Redis was restarted');

    await postgres.kill();
    note('crashed PostgreSQL (immediate stop)');
    const during = await fetch(`${balancer.url}/healthz`);
    note(`balancer /healthz while PostgreSQL is down: ${during.status}`);
    expect(during.status).toBe(503);
    const seenBefore = a.states.length;
    await writeOn(a, 'postgres-down/a4.bin', 150_000);
    // Back only once A was refused meanwhile: its round stopped on the 503 (offline).
    await vi.waitFor(() => expect(a.states.slice(seenBefore)).toContain('offline'), {
      timeout: 60_000,
    });
    note('A went offline on the 503s');
    await postgres.start();
    note('restarted PostgreSQL');
    await writeOn(b, 'postgres-back/b4.txt', 4_000);
    await converged(a, b, 'PostgreSQL was restarted');

    await primary.stop();
    note('stopped the primary object store for good');
    await writeOn(a, 'primary-gone/a5.bin', 250_000);
    await writeOn(b, 'primary-gone/b5.txt', 1_000);
    await converged(a, b, 'the primary store went away');
    // Everything written before the loss is still readable: B's folder came from the replica
    // for the new files, and a fresh device downloads the whole tree now.
    const c: Client = {
      name: 'C',
      folder: path.join(root, 'C-folder'),
      home: path.join(root, 'C-home'),
      states: [],
    };
    await ferry(c, [
      'login',
      '--server',
      balancer.url,
      '--email',
      'sam@scale.example',
      '--device',
      'C',
    ]);
    await ferry(c, ['sync', '--once', '--folder', c.folder]);
    const tc = await treeOf(c.folder);
    expect([...tc].sort()).toEqual([...written].sort());
    note(`a new device C downloaded all ${tc.size} files with the primary store gone`);
  }, 300_000);
});
