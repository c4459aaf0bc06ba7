/**
 * The IPC host without Electron: its handlers are called as ipcMain would call them, over an
 * EngineControl that records its calls, to pin what reaches the engine (checked arguments) and
 * what is refused before it (every malformed payload).
 */
import { describe, expect, it } from 'vitest';
import type { EngineControl } from 'sync-engine';
import { createIpcHandlers, IPC_METHODS, ipcChannelOf } from './ipc-host.js';

function recordingControl() {
  const calls: { method: string; args: unknown[] }[] = [];
  const control = new Proxy({} as EngineControl, {
    get:
      (_target, method: string) =>
      async (...args: unknown[]) => {
        calls.push({ method, args: args.filter((arg) => !(arg instanceof AbortSignal)) });
        if (method === 'listConflicts') throw new Error('disk on fire at /secret/path');
        return { answered: method };
      },
  });
  return { control, calls };
}

const signal = new AbortController().signal;

describe('the IPC host', () => {
  it('has one channel per EngineControl method', () => {
    const handlers = createIpcHandlers(recordingControl().control);
    expect([...handlers.keys()]).toEqual(IPC_METHODS.map(ipcChannelOf));
    expect(handlers.has('ferry:getStatus')).toBe(true);
  });

  it('passes checked arguments to the engine and wraps the answer', async () => {
    const { control, calls } = recordingControl();
    const handlers = createIpcHandlers(control);
    const resolve = handlers.get('ferry:resolveConflict')!;
    expect(await resolve({ query: {}, body: { path: '/a.txt', keep: 'mine' } }, signal)).toEqual({
      ok: true,
      value: { answered: 'resolveConflict' },
    });
    const folder = handlers.get('ferry:listFolder')!;
    expect(await folder({ query: { path: '/docs' } }, signal)).toMatchObject({ ok: true });
    expect(calls).toEqual([
      { method: 'resolveConflict', args: ['/a.txt', 'mine'] },
      { method: 'listFolder', args: ['/docs'] },
    ]);
  });

  it.each([
    ['ferry:getStatus', null, 'an IPC payload must be an object { query, body }'],
    ['ferry:getStatus', [], 'an IPC payload must be an object { query, body }'],
    ['ferry:getStatus', { query: {}, extra: 1 }, 'IPC payload field "extra" is not known'],
    ['ferry:listFolder', { query: { path: 5 } }, 'query must be an object of strings'],
    ['ferry:listFolder', { query: ['/'] }, 'query must be an object of strings'],
    ['ferry:listFolder', { query: { path: '/../etc' } }, 'path has a . or .. segment'],
    ['ferry:pause', { query: {}, body: { now: true } }, 'body field "now" is not known'],
    [
      'ferry:resolveConflict',
      { query: {}, body: { path: '/a', keep: 'all' } },
      'keep must be one of mine, theirs, both',
    ],
    [
      'ferry:shareFolder',
      { query: {}, body: { path: '/d', email: 'x', role: 'viewer' } },
      'email must be an address',
    ],
    [
      'ferry:resolveConflict',
      { query: {}, body: JSON.parse('{"__proto__":{"polluted":1},"path":"/a","keep":"mine"}') },
      'body field "__proto__" is not known',
    ],
  ])('%s refuses %j, calling nothing', async (channel, payload, message) => {
    const { control, calls } = recordingControl();
    const reply = await createIpcHandlers(control).get(channel)!(payload, signal);
    expect(reply.ok).toBe(false);
    expect(reply).toMatchObject({ error: { code: 'invalid_request' } });
    expect((reply as { error: { message: string } }).error.message).toContain(message);
    expect(calls).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers an unexpected failure as internal_error without its message, and reports it', async () => {
    const reported: unknown[] = [];
    const reply = await createIpcHandlers(recordingControl().control, (e) => reported.push(e)).get(
      'ferry:listConflicts',
    )!({ query: {} }, signal);
    expect(reply).toEqual({
      ok: false,
      error: { code: 'internal_error', message: 'internal error' },
    });
    expect(String(reported[0])).toContain('disk on fire');
  });
});
