import { describe, expect, it } from 'vitest';
import { DownloadTickets } from './download-tickets.js';

function tickets(maxOutstanding?: number) {
  let now = 1000;
  let n = 0;
  const made = new DownloadTickets({
    nowMs: () => now,
    newTicket: () => `t${(n += 1)}`.padEnd(43, 'x'),
    ttlMs: 60_000,
    ...(maxOutstanding === undefined ? {} : { maxOutstanding }),
  });
  return { made, advance: (ms: number) => (now += ms) };
}

describe('download tickets', () => {
  it('are good once', () => {
    const { made } = tickets();
    const ticket = made.create('/Team');
    expect(made.take(ticket)).toBe('/Team');
    expect(made.take(ticket)).toBeUndefined();
  });

  it('expire after a minute', () => {
    const { made, advance } = tickets();
    const ticket = made.create('/Team');
    advance(60_001);
    expect(made.take(ticket)).toBeUndefined();
  });

  it('know nothing of other strings, and keep only the newest when too many wait', () => {
    const { made } = tickets(2);
    const first = made.create('/a');
    const second = made.create('/b');
    const third = made.create('/c');
    expect(made.take('x'.repeat(43))).toBeUndefined();
    expect(made.take(first)).toBeUndefined();
    expect(made.take(second)).toBe('/b');
    expect(made.take(third)).toBe('/c');
  });
});
