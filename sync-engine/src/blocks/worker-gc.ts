import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A minor garbage collection for a codec worker. Each codec task leaves block-sized garbage behind
 * (the compressor's output, the cipher's output slices), which V8 lets pile up to tens of MB per
 * thread before collecting it; a minor GC after each task (~0.1 ms) frees it at once and keeps a
 * 1 GiB encode ~40 MB lower (docs/performance.md, "Memory").
 *
 * Node offers `gc` only behind V8's process-wide `--expose-gc` flag, so the flag is switched on
 * just long enough to create one vm context and take its `gc`, then off again. Every codec worker
 * of the process does this under one lock (`flagLock`, shared memory from the pool), so no worker
 * switches the flag off while another is between its two steps. Any other context created in that
 * instant, on another thread, also gets a `gc` global: harmless, and only at worker start.
 *
 * Falls back to a no-op (memory is then only higher) when the process already configures GC
 * exposure itself (`--expose-gc…` in its arguments or NODE_OPTIONS: its own `gc` is used if it is
 * a global, and the flag is never touched) or when anything fails.
 */
export function createMinorGc(flagLock: Int32Array | undefined): () => void {
  type Gc = (options: { type: 'minor' }) => void;
  const exposed = (globalThis as { gc?: Gc }).gc;
  if (typeof exposed === 'function') return () => exposed({ type: 'minor' });
  const options = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  if (flagLock === undefined || /expose[-_]gc/.test(options)) return () => undefined;
  let gc: Gc | undefined;
  while (Atomics.compareExchange(flagLock, 0, 0, 1) !== 0) Atomics.wait(flagLock, 0, 1);
  try {
    setFlagsFromString('--expose-gc');
    try {
      gc = runInNewContext('gc') as Gc;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  } catch {
    gc = undefined;
  } finally {
    Atomics.store(flagLock, 0, 0);
    Atomics.notify(flagLock, 0);
  }
  if (typeof gc !== 'function') return () => undefined;
  const collect = gc;
  return () => collect({ type: 'minor' });
}
