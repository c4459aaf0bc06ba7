/**
 * One Ferry per user session: a second start hands over to the first (Electron's single
 * instance lock) and this decides what the first then does. A login start (`--hidden`) of a
 * second instance changes nothing; any other start shows the window, focusing it when open.
 */
import { isHiddenStart } from './login-item.js';

/** What the running instance does when another one is started. */
export type SecondInstanceAction = 'ignore' | 'focus-window' | 'open-window';

export function secondInstanceAction(
  argv: readonly string[],
  hasWindow: boolean,
): SecondInstanceAction {
  if (isHiddenStart(argv)) return 'ignore';
  return hasWindow ? 'focus-window' : 'open-window';
}

/** Whether the first start of this instance opens the window (not when started at login). */
export function opensWindowAtStart(argv: readonly string[]): boolean {
  return !isHiddenStart(argv);
}
