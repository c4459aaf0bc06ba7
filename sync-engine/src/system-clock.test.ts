import { describe, expect, it } from 'vitest';
import { systemClock } from './system-clock.js';

describe('systemClock', () => {
  it('tells wall time and sleeps at least as long as asked', async () => {
    const before = Date.now();
    expect(Math.abs(systemClock.nowMs() - before)).toBeLessThan(1_000);
    await systemClock.sleep(30);
    expect(Date.now() - before).toBeGreaterThanOrEqual(30);
  });

  it("rejects with the signal's reason when aborted, before or during the sleep", async () => {
    const reason = new Error('stop');
    await expect(systemClock.sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });
});
