/**
 * Block pipeline benchmark: `npm run bench:blocks [-- --json] [--size 256MiB] [--file-size 1GiB]
 * [--workers N] [--only stages|pipelines|file]`.
 *
 * Prints every stage alone (chunk, sha256, compress, encrypt, decode on random and text-like
 * data), then the whole pipeline on each, then a file encoded from disk with its peak RSS. Each
 * pipeline runs in a fresh child process so its peak RSS is its own. MB = 10^6 bytes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { writeSeededFile } from '../src/blocks/seeded-data.js';
import { parseSize } from './bench-data.js';
import { measureStages, type BenchResult } from './block-stages.js';
import { runFilePipeline, runMemoryPipeline } from './pipeline-run.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: '256MiB' },
    'file-size': { type: 'string', default: '1GiB' },
    workers: { type: 'string' },
    only: { type: 'string' },
    run: { type: 'string' },
    path: { type: 'string' },
  },
});
const sizeBytes = parseSize(values.size);
const fileSizeBytes = parseSize(values['file-size']);
const workers = values.workers === undefined ? undefined : Number(values.workers);

function report(result: BenchResult): void {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rss = result.peakRssMB === undefined ? '' : `   peak RSS ${result.peakRssMB.toFixed(0)} MB`;
  process.stdout.write(
    `${result.name.padEnd(22)} ${result.MBps.toFixed(1).padStart(8)} MB/s${rss}\n`,
  );
}

/** Child mode: one pipeline in this process, printed as one JSON line. */
async function runOne(name: string): Promise<BenchResult> {
  if (name === 'pipeline.random' || name === 'pipeline.text') {
    return runMemoryPipeline({
      kind: name === 'pipeline.random' ? 'random' : 'text',
      sizeBytes,
      workers,
    });
  }
  if (name === 'pipeline.file' && values.path)
    return runFilePipeline({ path: values.path, workers });
  throw new Error(`unknown benchmark ${name}`);
}

/** Runs one pipeline in a fresh process (same loader flags) and returns its figure. */
async function runInChild(name: string, extraArgs: string[] = []): Promise<BenchResult> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--run', name, '--json'];
  args.push('--size', values.size, ...extraArgs);
  if (values.workers !== undefined) args.push('--workers', values.workers);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim()) as BenchResult;
}

async function main(): Promise<void> {
  if (values.run) {
    process.stdout.write(`${JSON.stringify(await runOne(values.run))}\n`);
    return;
  }
  const only = values.only;
  if (!values.json) {
    process.stdout.write(`block pipeline: --size ${values.size}, file ${values['file-size']}\n`);
  }
  if (!only || only === 'stages')
    for (const result of await measureStages(sizeBytes)) report(result);
  if (!only || only === 'pipelines') {
    report(await runInChild('pipeline.random'));
    report(await runInChild('pipeline.text'));
  }
  if (!only || only === 'file') report(await measureFile());
}

/** Writes a seeded random file of --file-size to a temporary directory, encodes it, removes it. */
async function measureFile(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  try {
    const path = join(dir, 'large.bin');
    await writeSeededFile({ path, kind: 'random', seed: 1, sizeBytes: fileSizeBytes });
    return await runInChild('pipeline.file', ['--path', path]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
