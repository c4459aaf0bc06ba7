import { describe, expect, it } from 'vitest';
import { ScanNeed } from './scan-need.js';

function scanNeed(intervalMs = 3_600_000) {
  let now = 0;
  const need = new ScanNeed(
    () => now,
    () => intervalMs,
  );
  return { need, advance: (ms: number) => (now += ms) };
}

describe('ScanNeed', () => {
  it('scans every pass while no watcher works', () => {
    const { need } = scanNeed();
    expect([need.shouldScan(), need.shouldScan(), need.shouldScan()]).toEqual([true, true, true]);
    need.setWatcherWorks(false);
    expect([need.shouldScan(), need.shouldScan()]).toEqual([true, true]);
  });

  it('with a working watcher: once after it started, then only when marked or due', () => {
    const { need, advance } = scanNeed(60_000);
    need.setWatcherWorks(true);
    expect(need.shouldScan()).toBe(true);
    expect(need.shouldScan()).toBe(false);
    need.markDirty();
    expect(need.shouldScan()).toBe(true);
    expect(need.shouldScan()).toBe(false);
    advance(59_999);
    expect(need.shouldScan()).toBe(false);
    advance(1);
    expect(need.shouldScan()).toBe(true);
    expect(need.shouldScan()).toBe(false);
  });

  it('scans again after the watcher failed, and on every pass from then on', () => {
    const { need } = scanNeed();
    need.setWatcherWorks(true);
    need.shouldScan();
    need.setWatcherWorks(false);
    expect([need.shouldScan(), need.shouldScan()]).toEqual([true, true]);
  });
});
