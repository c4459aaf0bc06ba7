/**
 * Waiting on a condition, never on a fixed sleep: check, and check again every `intervalMs`
 * until it holds or `timeoutMs` has passed, then fail saying what was awaited (and, when given,
 * what was last seen). The e2e tests may not import sync-engine/testkit (app's lint zone).
 */
export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What is awaited, for the failure message. */
  readonly what?: string;
  /** What was seen instead, for the failure message. */
  readonly seen?: () => string | Promise<string>;
}

/** Resolves once `condition()` is true; rejects after `timeoutMs` (default 60 s). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 100, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const seen = options.seen === undefined ? '' : `; seen: ${await options.seen()}`;
      throw new Error(`${what} not met within ${timeoutMs} ms${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
