/**
 * Waiting on a condition in tests, never on a fixed sleep: check, and check again every
 * `intervalMs` until it holds or `timeoutMs` has passed (then fail, saying what was awaited).
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
