import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

/** A promise plus its resolver, to hold a task open until the test lets it finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('KeyedLock', () => {
  it('runs tasks on one key one at a time, in call order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const first = gate();
    const a = lock.run('k', async () => {
      events.push('a start');
      await first.opened;
      events.push('a end');
    });
    const b = lock.run('k', async () => {
      events.push('b');
    });
    await Promise.resolve();
    expect(events).toEqual(['a start']);
    first.open();
    await Promise.all([a, b]);
    expect(events).toEqual(['a start', 'a end', 'b']);
  });

  it('runs tasks on different keys concurrently', async () => {
    const lock = new KeyedLock();
    const held = gate();
    const slow = lock.run('k1', () => held.opened);
    await expect(lock.run('k2', async () => 'done')).resolves.toBe('done');
    held.open();
    await slow;
  });

  it('passes a failure to its caller without blocking the next task on the key', async () => {
    const lock = new KeyedLock();
    const failing = lock.run('k', async () => {
      throw new Error('task failed');
    });
    const next = lock.run('k', async () => 42);
    await expect(failing).rejects.toThrow('task failed');
    await expect(next).resolves.toBe(42);
  });

  it('reports idle only after every queued task finished', async () => {
    const lock = new KeyedLock();
    const held = gate();
    let isFinished = false;
    void lock.run('k', async () => {
      await held.opened;
      isFinished = true;
    });
    const idle = lock.idle();
    held.open();
    await idle;
    expect(isFinished).toBe(true);
  });
});
