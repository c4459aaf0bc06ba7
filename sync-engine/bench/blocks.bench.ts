/**
 * Block pipeline benchmark: `npm run bench:blocks [-- --json] [--size 256MiB] [--file-size 1GiB]
 * [--workers N] [--only stages|pipelines|file]`.
 *
 * Prints every stage alone on one thread (chunk, sha256, compress, encrypt, decode, on random and
 * text-like data), then the whole pipeline on each (--size bytes cycled from a 32 MiB seeded
 * sample held in memory), then a --file-size file of random data, and one of text, encoded from
 * disk. Each pipeline runs in a fresh child process so its peak RSS is its own. MB = 10^6 bytes.
 * Temporary files are removed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { writeSeededFile, type SeededDataKind } from '../src/testkit/index.js';
import { SAMPLE_BYTES, SEED, parseSize } from './bench-data.js';
import { measureStages, type BenchResult } from './block-stages.js';
import { runPipeline } from './pipeline-run.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: '256MiB' },
    'file-size': { type: 'string', default: '1GiB' },
    workers: { type: 'string' },
    only: { type: 'string' },
    // Child mode (internal): run one pipeline on `--path` and print its JSON line.
    run: { type: 'string' },
    path: { type: 'string' },
    memory: { type: 'string' },
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
    `${result.name.padEnd(24)} ${result.MBps.toFixed(1).padStart(8)} MB/s${rss}\n`,
  );
}

/** Runs one pipeline in a fresh process (same loader flags) and returns its figure. */
async function runInChild(name: string, path: string, memoryBytes?: number): Promise<BenchResult> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--json'];
  args.push('--run', name, '--path', path);
  if (memoryBytes !== undefined) args.push('--memory', String(memoryBytes));
  if (values.workers !== undefined) args.push('--workers', values.workers);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim()) as BenchResult;
}

/** Writes the seeded data files into `dir`, runs the pipelines on them, each in a child. */
async function measurePipelines(dir: string, only: string | undefined): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (!only || only === 'pipelines') {
    for (const kind of ['random', 'text'] as SeededDataKind[]) {
      const path = join(dir, `sample.${kind}`);
      await writeSeededFile({ path, kind, seed: SEED, sizeBytes: SAMPLE_BYTES });
      results.push(await runInChild(`pipeline.${kind}`, path, sizeBytes));
    }
  }
  if (!only || only === 'file') {
    // Random data first (the name without a suffix), then text, which keeps every worker busy.
    for (const [kind, name] of [
      ['random', 'pipeline.file'],
      ['text', 'pipeline.file.text'],
    ] as const) {
      const path = join(dir, `large.${kind}`);
      await writeSeededFile({ path, kind, seed: SEED, sizeBytes: fileSizeBytes });
      results.push(await runInChild(name, path));
      await rm(path);
    }
  }
  return results;
}

async function main(): Promise<void> {
  if (values.run && values.path) {
    const memoryBytes = values.memory === undefined ? undefined : Number(values.memory);
    const result = await runPipeline({ name: values.run, path: values.path, memoryBytes, workers });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const only = values.only;
  if (!values.json) {
    process.stdout.write(
      `block pipeline: --size ${values.size}, --file-size ${values['file-size']}\n`,
    );
  }
  if (!only || only === 'stages')
    for (const result of await measureStages(sizeBytes)) report(result);
  if (only === 'stages') return;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  try {
    for (const result of await measurePipelines(dir, only)) report(result);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
