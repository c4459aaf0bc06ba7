/**
 * A RemoteClient around the real one for the simulation: while the device is offline every call
 * fails with `network_error` before reaching the server; while it is flaky a call fails at
 * random, before it was sent or (for calls that change the server) after the server did it, so
 * the answer is lost; and every call passes the device's PortGate (crashes, interleavings).
 */
import { RemoteError, type RemoteClient } from '../../remote/index.js';
import type { PortGate } from './port-gate.js';

/** The switches of one device's network. */
export interface NetworkConditions {
  offline: boolean;
  /** Chance that a call fails with `network_error` (0 when the network is fine). */
  failureRate: number;
}

/** Calls that change the server: a failure after them loses the answer, not the effect. */
const MUTATING = new Set([
  'commitFile',
  'createFolder',
  'deletePath',
  'movePath',
  'putBlock',
  'createShare',
]);

export interface FaultyRemoteOptions {
  readonly inner: RemoteClient;
  readonly gate: PortGate;
  readonly network: NetworkConditions;
  /** The device's own seeded random (faults never draw from the action stream). */
  readonly random: () => number;
  /** Where each injected fault is logged. */
  readonly log?: (line: string) => void;
  /** Where every call and its answer is logged, when set (FERRY_SIM_TRACE). */
  readonly trace?: (line: string) => void;
}

/** The request's fields worth a trace line (paths and revisions, never contents). */
function summarize(args: readonly unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (typeof first !== 'object' || first === null) return '';
  const fields = ['path', 'from', 'to', 'parentRev', 'rev', 'cursor'] as const;
  return fields
    .filter((field) => field in first)
    .map((field) => `${field}=${String((first as Record<string, unknown>)[field])}`)
    .join(' ');
}

function answerOf(result: unknown): string {
  if (typeof result !== 'object' || result === null) return String(result);
  const record = result as Record<string, unknown>;
  if (typeof record.kind === 'string') return record.kind;
  if (typeof record.rev === 'string') return `rev=${record.rev}`;
  if (typeof record.path === 'string') return `path=${record.path}`;
  return 'ok';
}

function lostConnection(method: string, detail: string): RemoteError {
  return new RemoteError('network_error', `${method}: ${detail} (simulated)`);
}

async function* gatedBody(
  body: AsyncGenerator<Uint8Array>,
  gate: PortGate,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) {
      gate.check('remote.downloadFile body');
      yield chunk;
    }
    gate.check('remote.downloadFile body end');
  } finally {
    await body.return(undefined);
  }
}

/** The wrapped client; `close` is the inner client's. */
export function createFaultyRemote(options: FaultyRemoteOptions): RemoteClient {
  const { inner, gate, network, random, log, trace } = options;
  const wrapped: Record<string, unknown> = {};
  for (const [method, value] of Object.entries(inner)) {
    if (typeof value !== 'function' || method === 'close') {
      wrapped[method] = value;
      continue;
    }
    const call = `remote.${method}`;
    wrapped[method] = async (...args: unknown[]) => {
      await gate.before(call);
      if (network.offline) throw lostConnection(method, 'offline');
      if (network.failureRate > 0 && random() < network.failureRate) {
        log?.(`fault: ${method} failed before reaching the server`);
        throw lostConnection(method, 'connection refused');
      }
      let result: unknown;
      try {
        result = await (value as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      } catch (error) {
        trace?.(`${method} ${summarize(args)} → ${(error as { code?: string }).code ?? error}`);
        throw error;
      }
      trace?.(`${method} ${summarize(args)} → ${answerOf(result)}`);
      const download =
        method === 'downloadFile'
          ? (result as Awaited<ReturnType<RemoteClient['downloadFile']>>)
          : undefined;
      try {
        if (network.failureRate > 0 && MUTATING.has(method) && random() < network.failureRate) {
          log?.(`fault: ${method} done on the server, answer lost`);
          throw lostConnection(method, 'connection reset after the request');
        }
        await gate.after(call);
      } catch (error) {
        await download?.body.return(undefined);
        throw error;
      }
      if (download !== undefined) return { ...download, body: gatedBody(download.body, gate) };
      return result;
    };
  }
  return wrapped as unknown as RemoteClient;
}
