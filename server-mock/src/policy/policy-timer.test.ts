import { describe, expect, it } from 'vitest';
import { startPolicyTimer } from './policy-timer.js';

describe('policy timer', () => {
  it('runs again after a failed pass (a failure does not stop the policy for good)', async () => {
    let calls = 0;
    const timer = startPolicyTimer({
      intervalMs: 0,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('disk hiccup');
      },
      onError: () => undefined,
      signal: new AbortController().signal,
    });
    await expect(timer.runNow()).rejects.toThrow('disk hiccup');
    await expect(timer.runNow()).resolves.toBeUndefined();
    expect(calls).toBe(2);
    await timer.stop();
  });

  it('never overlaps passes', async () => {
    let active = 0;
    let most = 0;
    const timer = startPolicyTimer({
      intervalMs: 0,
      run: async () => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
      },
      onError: () => undefined,
      signal: new AbortController().signal,
    });
    await Promise.all([timer.runNow(), timer.runNow(), timer.runNow()]);
    expect(most).toBe(1);
    await timer.stop();
  });
});
