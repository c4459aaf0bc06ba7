/** Runs a user's action against the engine: one at a time, its failure shown, then a refresh. */
import { useState } from 'preact/hooks';

/** What a screen needs to run an action and show its outcome. */
export interface ActionState {
  readonly busy: boolean;
  readonly error: string | undefined;
  run(action: () => Promise<unknown>): Promise<void>;
}

export function useAction(refresh: () => Promise<void>): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  return {
    busy,
    error,
    run: async (action) => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        await refresh();
      } catch (failure) {
        setError(failure instanceof Error ? failure.message : String(failure));
      } finally {
        setBusy(false);
      }
    },
  };
}
