import { fileURLToPath } from 'node:url';

/**
 * The codec worker as one plain-JavaScript script. Ferry runs from TypeScript source through tsx,
 * but a worker thread under Node 20 does not inherit the parent's loader, and loading tsx inside
 * each worker costs ~33 MB of RSS per worker (its own hooks thread and esbuild host), which alone
 * would break the pipeline's memory budget. So the worker entry and the few modules it imports
 * (node: built-ins only) are bundled once per process with esbuild, already the engine of tsx,
 * and each worker evaluates the result: ~3 MB per worker, ~30 ms once.
 */
const WORKER_SOURCE = fileURLToPath(new URL('./codec-worker.ts', import.meta.url));

/** The worker script, when this module runs inside the CLI bundle (app/build/bundle-cli.mjs). */
declare const FERRY_BUNDLED_CODEC_WORKER: string | undefined;

// Bundled at most once per process and shared by every pool: the result is immutable code.
let workerCode: Promise<string> | undefined;

/** The bundled worker script (CommonJS, for `new Worker(code, { eval: true })`). */
export function loadCodecWorkerCode(): Promise<string> {
  if (typeof FERRY_BUNDLED_CODEC_WORKER === 'string')
    return Promise.resolve(FERRY_BUNDLED_CODEC_WORKER);
  workerCode ??= bundleWorker().catch((error: unknown) => {
    workerCode = undefined; // let a later pool try again
    throw error;
  });
  return workerCode;
}

async function bundleWorker(): Promise<string> {
  // Loaded on first use: processes that never start a pool (`ferry inspect`) do not pay for it.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [WORKER_SOURCE],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('bundling the block codec worker produced no output');
  return output.text;
}
