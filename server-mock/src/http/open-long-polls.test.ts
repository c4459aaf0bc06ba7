import { describe, expect, it } from 'vitest';
import { OpenLongPolls } from './open-long-polls.js';

describe('OpenLongPolls', () => {
  it('releases every open poll once at shutdown, and none that already ended', () => {
    const shutdown = new AbortController();
    const polls = new OpenLongPolls(shutdown.signal);
    const released: number[] = [];
    const forgets = [0, 1, 2, 3].map((n) => polls.add(() => released.push(n)));
    forgets[1]?.();
    expect(polls.size).toBe(3);
    shutdown.abort();
    shutdown.abort();
    expect(released.sort()).toEqual([0, 2, 3]);
    expect(polls.size).toBe(0);
  });

  it('releases a poll added after shutdown began at once', () => {
    const shutdown = new AbortController();
    const polls = new OpenLongPolls(shutdown.signal);
    shutdown.abort();
    let isReleased = false;
    polls.add(() => {
      isReleased = true;
    });
    expect(isReleased).toBe(true);
    expect(polls.size).toBe(0);
  });

  it('holds thousands of polls with a single listener on the shutdown signal', () => {
    const shutdown = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const polls = new OpenLongPolls(shutdown.signal);
      const forgets = Array.from({ length: 2000 }, () => polls.add(() => {}));
      expect(polls.size).toBe(2000);
      for (const forget of forgets) forget();
      expect(polls.size).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
