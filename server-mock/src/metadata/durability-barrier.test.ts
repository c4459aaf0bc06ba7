import { describe, expect, it } from 'vitest';
import { DurabilityBarrier, DurabilityError } from './durability-barrier.js';

/** A barrier over a write counter and a sync the test finishes by hand. */
function controlledBarrier() {
  let writes = 0;
  const syncs: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const barrier = new DurabilityBarrier({
    mark: () => writes,
    sync: () =>
      new Promise<void>((resolve, reject) => {
        syncs.push({ resolve, reject });
      }),
  });
  return {
    barrier,
    syncs,
    write: () => void writes++,
    /** Lets the barrier's microtasks run (a queued sync starts after the running one ends). */
    settle: () => new Promise<void>((resolve) => setImmediate(resolve)),
  };
}

/** Whether `promise` has settled yet, as 'pending', 'resolved' or 'rejected'. */
async function stateOf(promise: Promise<unknown>): Promise<string> {
  const pending = {};
  const outcome = await Promise.race([promise, Promise.resolve(pending)]).then(
    (value) => (value === pending ? 'pending' : 'resolved'),
    () => 'rejected',
  );
  return outcome;
}

describe('DurabilityBarrier (group commit)', () => {
  it('costs no sync when nothing was written since the last one', async () => {
    const { barrier, syncs, write, settle } = controlledBarrier();
    await barrier.wait();
    expect(syncs).toHaveLength(0);
    write();
    const first = barrier.wait();
    await settle();
    syncs[0]!.resolve();
    await first;
    await barrier.wait();
    await settle();
    expect(syncs).toHaveLength(1);
  });

  it('releases every caller that committed before the sync with that one sync', async () => {
    const { barrier, syncs, write, settle } = controlledBarrier();
    write();
    write();
    const waiters = [barrier.wait(), barrier.wait(), barrier.wait()];
    await settle();
    expect(syncs).toHaveLength(1);
    // Arrives while the sync runs, with no write since it started: the running sync covers it.
    waiters.push(barrier.wait());
    expect(await stateOf(Promise.all(waiters))).toBe('pending');
    syncs[0]!.resolve();
    await Promise.all(waiters);
    expect(syncs).toHaveLength(1);
  });

  it('makes a caller that wrote during a sync wait for the next one, shared by all such', async () => {
    const { barrier, syncs, write, settle } = controlledBarrier();
    write();
    const early = barrier.wait();
    await settle();
    write();
    const late = [barrier.wait(), barrier.wait()];
    write();
    late.push(barrier.wait());
    await settle();
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await early;
    await settle();
    expect(await stateOf(Promise.all(late))).toBe('pending');
    expect(syncs).toHaveLength(2);
    syncs[1]!.resolve();
    await Promise.all(late);
    expect(syncs).toHaveLength(2);
  });

  it('fails the callers of a failed sync and every later wait, without syncing again', async () => {
    const { barrier, syncs, write, settle } = controlledBarrier();
    write();
    const failing = [barrier.wait(), barrier.wait()];
    await settle();
    write();
    const queued = barrier.wait();
    syncs[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    const outcomes = await Promise.allSettled([...failing, queued]);
    for (const outcome of outcomes) {
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(DurabilityError);
    }
    await expect(barrier.wait()).rejects.toThrow(/may not survive a power loss/);
    await settle();
    expect(syncs).toHaveLength(1);
  });

  it('turns a sync that throws at once into a rejection', async () => {
    let writes = 1;
    const barrier = new DurabilityBarrier({
      mark: () => writes++,
      sync: () => {
        throw new Error('EBADF');
      },
    });
    await expect(barrier.wait()).rejects.toMatchObject({ cause: { message: 'EBADF' } });
  });
});
