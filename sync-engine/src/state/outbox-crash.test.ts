import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openClientState } from './client-state.js';
import { useTempDir } from '../testkit/index.js';

const FIXTURE = fileURLToPath(new URL('./outbox-crash.fixture.ts', import.meta.url));
/** Acknowledged entries to wait for before the kill: enough to cross several fsyncs. */
const ACKNOWLEDGED_BEFORE_KILL = 200;

/** Runs the fixture until it has acknowledged `count` entries, kills it, returns the last seq. */
async function queueThenKill(statePath: string, count: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, statePath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  let lastSeq = 0;
  let acknowledged = 0;
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, seq] = line.split(' ');
    if (word !== 'queued') continue;
    lastSeq = Number(seq);
    acknowledged += 1;
    if (acknowledged === count) {
      child.kill('SIGKILL');
      break;
    }
  }
  clearTimeout(timeout);
  const signal = await exited;
  if (acknowledged < count) throw new Error(`fixture stopped early: ${stderr}`);
  expect(signal).toBe('SIGKILL');
  return lastSeq;
}

describe('outbox crash safety', () => {
  const tempDir = useTempDir('outbox-crash');

  it('keeps every acknowledged entry, in order, with its retry state, after a SIGKILL', async () => {
    const statePath = join(tempDir(), 'state.sqlite');
    const lastAcknowledged = await queueThenKill(statePath, ACKNOWLEDGED_BEFORE_KILL);
    // The writer died without closing: its log is still there to be recovered on open.
    expect(existsSync(`${statePath}-wal`)).toBe(true);

    const state = openClientState(statePath);
    const entries = state.outbox.list();
    expect(entries[0]).toMatchObject({
      seq: 1,
      path: '/locked.docx',
      attemptCount: 1,
      nextAttemptMs: 1_000,
      lastError: 'EBUSY: file is locked',
    });
    const uploads = entries.slice(1);
    // Everything acknowledged is there. More may be: the child commits on while the test reads
    // its lines (up to 20 between two yields), so entries committed but not yet read survive too.
    expect(uploads.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    expect(uploads.at(-1)!.seq).toBeGreaterThanOrEqual(lastAcknowledged);
    uploads.forEach((entry, index) => {
      expect(entry).toMatchObject({ seq: index + 2, kind: 'upload', path: `/file-${index}.txt` });
    });
    // The queue keeps working where the dead process left off.
    const next = state.outbox.enqueue({ kind: 'mkdir', path: '/after-crash' }, 0);
    expect(next).toBe(uploads.at(-1)!.seq + 1);
    state.close();
  });
});
