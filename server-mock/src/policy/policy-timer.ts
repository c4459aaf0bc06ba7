/**
 * Runs the storage policy on a timer owned by startServer: every `intervalMs`, and on demand.
 * Runs never overlap; `stop()` waits for a running one to end. What a run does is
 * storage-policy.ts; this module only schedules it.
 */

export interface PolicyTimer {
  /** Runs the policy once now (after any run in progress). */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

export interface PolicyTimerOptions {
  /** Time between the end of one timed run and the start of the next; 0: no timer. */
  readonly intervalMs: number;
  /** One pass of the policy. */
  readonly run: () => Promise<void>;
  /** Hears failed timed runs (not those failing once `signal` aborted: shutdown). */
  readonly onError: (error: unknown) => void;
  /** Aborted when the server shuts down. */
  readonly signal: AbortSignal;
}

/** Starts the timer (none when `intervalMs` is 0). */
export function startPolicyTimer(options: PolicyTimerOptions): PolicyTimer {
  const { intervalMs, run, onError, signal } = options;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;

  const runNow = (): Promise<void> => {
    // Each pass waits for the previous one to end, whether it succeeded or failed: a failed
    // pass must not make every later one fail with its error.
    const pass = running.catch(() => undefined).then(() => run());
    running = pass;
    return pass;
  };
  const schedule = (): void => {
    if (isStopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      runNow()
        .catch((error: unknown) => {
          if (!signal.aborted) onError(error);
        })
        .finally(schedule);
    }, intervalMs);
    // The policy never keeps the process alive on its own.
    timer.unref();
  };
  schedule();

  return {
    runNow,
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
