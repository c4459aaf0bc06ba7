/**
 * The CLI's side of the control API: commands that a running `ferry sync` can answer (status,
 * conflicts, resolve) call it at the address and token it left in the home's engine.json.
 */
import { CONTROL_ROUTES, type EngineControl } from 'sync-engine';
import type { RunningEngine } from '../config/device-home.js';
import { CommandFailure } from './cli-errors.js';

type Method = keyof typeof CONTROL_ROUTES;

/** Calls `method` of the running engine; a JSON error answer becomes a CommandFailure. */
export async function callEngine<M extends Method>(
  engine: RunningEngine,
  method: M,
  input?: Record<string, unknown>,
): Promise<Awaited<ReturnType<EngineControl[M]>>> {
  const route = CONTROL_ROUTES[method];
  const url = new URL(route.path, engine.controlUrl);
  if (route.input === 'query' && input !== undefined) {
    for (const [key, value] of Object.entries(input)) url.searchParams.set(key, String(value));
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: route.method,
      headers: {
        authorization: `Bearer ${engine.controlToken}`,
        ...(route.input === 'body' ? { 'content-type': 'application/json' } : {}),
      },
      ...(route.input === 'body' ? { body: JSON.stringify(input ?? {}) } : {}),
    });
  } catch (error) {
    throw new CommandFailure(
      `the running ferry sync (pid ${engine.pid}) does not answer at ${engine.controlUrl}`,
      {
        code: 'engine_unreachable',
        cause: error,
      },
    );
  }
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code: string; message: string } } | undefined;
  if (!response.ok) {
    throw new CommandFailure(body?.error?.message ?? `the engine answered ${response.status}`, {
      code: body?.error?.code ?? 'engine_error',
    });
  }
  return body as Awaited<ReturnType<EngineControl[M]>>;
}
