/**
 * Device-to-device sync benchmark (issue 10): `npm run bench:sync [-- --json] [--only NAME[,NAME]]
 * [--scale 0.01] [--idle-seconds 60] [--timeout-seconds S] [--prep-seconds 600]
 * [--settle-seconds 900] [--dir DIR] [--keep]`.
 *
 * Starts the real server (`ferry server`, its own process) and two real `ferry sync --json`
 * processes, devices A and B of one user with their own homes and folders, on 127.0.0.1. Each
 * case prepares its data outside A's folder (a staging folder beside it), starts the clock when
 * the data is renamed into A's folder (or edited in place), and stops it when B has every file
 * complete at its real path; B's content is then compared with A's (SHA-256). A case that does
 * not finish within its timeout prints `"timedOut":true` with what was done by then, and the
 * bench goes on. `--scale` shrinks every size and count (a smoke run: `--scale 0.01`); `met` is
 * only judged at scale 1. With --json, one JSON object a line. MB = 10^6 bytes.
 *
 * Bytes on the wire are counted at the server (TCP payload of every connection both ways, HTTP
 * heads included; the bench's own /metrics scrapes left out). Peak RSS is the kernel's VmHWM of
 * each process, reset when a case's timed part starts and read when it ends.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runEdit1GiB, runInsert256MiB, runNew1GiB } from './big-file-cases.js';
import { runIdle100k, runStartup100k } from './big-tree-cases.js';
import {
  CaseSkipped,
  MiB,
  type BenchState,
  type CaseContext,
  type CaseFigures,
} from './case-kit.js';
import { runFanout200 } from './fanout-case.js';
import { killLeftoverChildren } from './ferry-child.js';
import { runDelete10k, runRename10k, runSmall10k } from './small-file-cases.js';
import { startSyncBed } from './sync-bed.js';

interface BenchCase {
  readonly name: string;
  /** Limit of the timed part at scale 1, in seconds. */
  readonly timeoutSeconds: number;
  readonly goal: string;
  isMet(figures: CaseFigures): boolean;
  run(ctx: CaseContext): Promise<CaseFigures>;
}

const num = (value: unknown) => (typeof value === 'number' ? value : Number.NaN);
const wire = (f: CaseFigures) => num(f.bytesUp) + num(f.bytesDown);

/** In the order they run: later cases start from what earlier ones left in sync. */
const CASES: readonly BenchCase[] = [
  {
    name: 'sync.new_1gib',
    timeoutSeconds: 300,
    goal: 'under 3.5 s',
    isMet: (f) => num(f.seconds) < 3.5,
    run: runNew1GiB,
  },
  {
    name: 'sync.small_10k',
    timeoutSeconds: 480,
    goal: 'under 5 s',
    isMet: (f) => num(f.seconds) < 5,
    run: runSmall10k,
  },
  {
    name: 'sync.edit_1gib',
    timeoutSeconds: 180,
    goal: 'under 1.5 s, under 4.5 MiB on the wire',
    isMet: (f) => num(f.seconds) < 1.5 && wire(f) < 4.5 * MiB,
    run: runEdit1GiB,
  },
  {
    name: 'sync.insert_256mib',
    timeoutSeconds: 120,
    goal: 'under 1.5 s, under 9 MiB on the wire',
    isMet: (f) => num(f.seconds) < 1.5 && wire(f) < 9 * MiB,
    run: runInsert256MiB,
  },
  {
    name: 'sync.rename_10k',
    timeoutSeconds: 180,
    goal: 'under 1 s, no block up or down',
    isMet: (f) => num(f.seconds) < 1 && f.blocksUp === 0 && f.blocksDown === 0,
    run: runRename10k,
  },
  {
    name: 'sync.delete_10k',
    timeoutSeconds: 180,
    goal: 'under 2 s',
    isMet: (f) => num(f.seconds) < 2,
    run: runDelete10k,
  },
  {
    name: 'sync.startup_100k',
    timeoutSeconds: 300,
    goal: 'in sync in under 5 s, no file content read',
    isMet: (f) => num(f.seconds) < 5 && f.contentFilesOpened === 0,
    run: runStartup100k,
  },
  {
    name: 'sync.idle_100k',
    timeoutSeconds: 0,
    goal: 'under 0.5 % of one core each',
    isMet: (f) => num(f.cpuPctA) < 0.5 && num(f.cpuPctB) < 0.5,
    run: runIdle100k,
  },
  {
    name: 'sync.fanout_200',
    timeoutSeconds: 60,
    goal: 'p99 under 1 s',
    isMet: (f) => num(f.p99Ms) < 1000,
    run: runFanout200,
  },
];

const MEMORY_GOAL = 'every client under 200 MB peak, the server under 300 MB';
const isMemoryMet = (f: CaseFigures) => num(f.peakRssMB) < 200 && num(f.serverPeakRssMB) < 300;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    scale: { type: 'string', default: process.env.FERRY_BENCH_SCALE ?? '1' },
    'idle-seconds': { type: 'string', default: '60' },
    'timeout-seconds': { type: 'string' },
    'prep-seconds': { type: 'string', default: '600' },
    'settle-seconds': { type: 'string', default: '900' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

function report(result: CaseFigures & { name: string }): void {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const fields = Object.entries(result)
    .filter(([k]) => k !== 'name' && k !== 'requests')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(`${result.name.padEnd(20)} ${fields.join('  ')}\n`);
}

function selectedCases(): readonly BenchCase[] {
  const names = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}`,
    );
  }
  return names.length === 0 ? CASES : CASES.filter((c) => names.includes(c.name));
}

function commitOf(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return `${commit.trim()}${dirty.trim() === '' ? '' : '+dirty'}`;
  } catch {
    return 'unknown';
  }
}

async function runCase(benchCase: BenchCase, ctx: CaseContext): Promise<CaseFigures> {
  try {
    // What the previous case set going (a timed-out upload, B's last round) finishes first.
    await ctx.bed.settle({ timeoutMs: ctx.settleMs });
    const figures = await benchCase.run(ctx);
    const judged = ctx.scale === 1 && figures.timedOut !== true && figures.verified !== false;
    return {
      ...figures,
      goal: benchCase.goal,
      met: judged ? benchCase.isMet(figures) && isMemoryMet(figures) : null,
    };
  } catch (error) {
    if (error instanceof CaseSkipped) return { skipped: error.message, goal: benchCase.goal };
    // What the devices said last: a device that died says why here.
    for (const [name, device] of [
      ['A', ctx.bed.a],
      ['B', ctx.bed.b],
    ] as const) {
      const said = device.sync.stderr().trim();
      if (said !== '')
        console.error(`${benchCase.name}: device ${name} stderr:\n${said.slice(-2000)}`);
    }
    return { error: error instanceof Error ? error.message : String(error), goal: benchCase.goal };
  }
}

async function main(): Promise<void> {
  const scale = positive('scale', values.scale);
  const cases = selectedCases();
  report({
    name: 'machine',
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGB: Math.round(totalmem() / 1e9),
    node: process.version,
    commit: commitOf(),
    scale,
    bytesOnTheWire: 'counted at the server: TCP payload both ways, HTTP heads included',
    peakRss: 'VmHWM of each process, reset at the start of each timed part',
    memoryGoal: MEMORY_GOAL,
  });
  const bed = await startSyncBed(values.dir === undefined ? {} : { dir: values.dir });
  const state: BenchState = {};
  let staged = 0;
  try {
    for (const benchCase of cases) {
      const timeoutSeconds =
        values['timeout-seconds'] === undefined
          ? benchCase.timeoutSeconds
          : positive('timeout-seconds', values['timeout-seconds']);
      const ctx: CaseContext = {
        bed,
        scale,
        timeoutMs: timeoutSeconds * 1000,
        settleMs: positive('settle-seconds', values['settle-seconds']) * 1000,
        idleSeconds: positive('idle-seconds', values['idle-seconds']),
        prepSeconds: positive('prep-seconds', values['prep-seconds']),
        state,
        stagingPath: (name) => path.join(bed.staging, `${staged++}-${name}`),
      };
      report({ name: benchCase.name, ...(await runCase(benchCase, ctx)) });
      await rm(bed.staging, { recursive: true, force: true });
      await mkdir(bed.staging);
    }
  } finally {
    await bed.close({ keep: values.keep });
    if (values.keep) process.stderr.write(`kept ${bed.root}\n`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLeftoverChildren();
    process.exit(130);
  });
}
await main().catch((error: unknown) => {
  killLeftoverChildren();
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
