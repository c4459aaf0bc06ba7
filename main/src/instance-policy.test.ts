import { describe, expect, it } from 'vitest';
import { opensWindowAtStart, secondInstanceAction } from './instance-policy.js';

describe('one instance', () => {
  it.each([
    [['/opt/Ferry/ferry'], true, 'focus-window'],
    [['/opt/Ferry/ferry'], false, 'open-window'],
    [['/opt/Ferry/ferry', '--hidden'], true, 'ignore'],
    [['/opt/Ferry/ferry', '--hidden'], false, 'ignore'],
  ] as const)('a second start %j with a window: %s → %s', (argv, hasWindow, action) => {
    expect(secondInstanceAction(argv, hasWindow)).toBe(action);
  });

  it('opens the window at start unless started at login', () => {
    expect(opensWindowAtStart(['/opt/Ferry/ferry'])).toBe(true);
    expect(opensWindowAtStart(['/opt/Ferry/ferry', '--hidden'])).toBe(false);
  });
});
