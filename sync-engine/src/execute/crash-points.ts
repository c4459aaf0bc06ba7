/**
 * Scripted crash points for the kill tests: when `FERRY_TEST_CRASH_AT` names a point, the
 * process SIGKILLs itself there, a real crash at an exact moment of an upload or a download
 * (no stub: what happens next is the product's own recovery). Unset, this is one comparison.
 */
export const CRASH_POINTS = [
  'upload:before-blocks',
  'upload:between-blocks',
  'upload:before-commit',
  'upload:after-commit',
  'download:mid-file',
  'download:before-rename',
  'download:set-aside',
  'download:after-rename',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Kills the process at `point` when the environment asks for it. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.FERRY_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
