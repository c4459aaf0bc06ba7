/**
 * The planner's property test (issue 9): random trees, changed on both sides (files and
 * folders created, edited, deleted, renamed and moved on the disk and on the server, also while
 * the sync runs), then the loop of the sync model (model-loop.fixture.ts: pull, scan, plan, the
 * operations in a shuffled order, a few at once, some failing at a random step and planned
 * again) until the plan is empty, and one more pass with full listings (healing). Properties:
 * it terminates within a bound of rounds; the disk and the server hold the same paths, kinds
 * and contents (apart from what a viewer keeps locally, which the plan reports); no edit is lost
 * (every content a user wrote is somewhere, unless a user replaced or deleted it on the side
 * they saw it); nothing deleted comes back. A run may end stuck on a move cycle (`MOVE_CYCLE`,
 * reported): it must still lose nothing, and such runs must stay rare.
 *
 * Races the executors lose (each in the final report of this test's task, and allowed here by
 * name in model-perturb.fixture.ts): a delete_remote of something written or moved on the
 * server meanwhile (kept only in the server's history); a delete of something moved meanwhile
 * (it comes back as new); a commit whose answer was lost, then deleted on the other side.
 *
 * Each run is one seed: `FERRY_SIM_SEED=… npx vitest run sync-engine/src/plan` replays it (and
 * fast-check shrinks it to a smaller case); `FERRY_SIM_RUNS` sets how many seeds run (200);
 * `FERRY_SIM_CASE='[…]'` runs a shrunk counterexample as printed; `FERRY_SIM_VERBOSE=1` prints
 * the end state and the trace of each run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom, syncModelUntilAgreed, type LoopResult } from './model-loop.fixture.js';
import {
  EditHistory,
  SHARE_PATH,
  perturb,
  type PerturbAction,
  type SideName,
} from './model-perturb.fixture.js';
import { createSyncModel, type SyncModel } from './model-sync.fixture.js';
import { MOVE_CYCLE } from './plan-operations.js';
import type { Plan } from './plan-types.js';

/** Rounds allowed after the last change: each round most operations get done. */
const MAX_ROUNDS = 40;
const FIRST_SEED = 9000;

const sideArb = fc.constantFrom<SideName>('local', 'remote');
const actionArb: fc.Arbitrary<PerturbAction> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), pick: fc.nat(30), name: fc.nat(9) }),
  fc.record({ kind: fc.constant('mkdir' as const), pick: fc.nat(30), name: fc.nat(9) }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(30), replace: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(30) }),
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(30), name: fc.nat(9) }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(30), target: fc.nat(30) }),
);
const createArb: fc.Arbitrary<PerturbAction> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      pick: fc.nat(30),
      name: fc.nat(9),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mkdir' as const),
      pick: fc.nat(30),
      name: fc.nat(9),
    }),
  },
);

interface SimCase {
  /** Drives the loop: the order of operations, which fail and where. */
  readonly seed: number;
  /** A share mounted at /shared, with the user's role in it (`true`: viewer, as printed before). */
  readonly share: boolean | 'viewer' | 'editor';
  readonly initial: ReadonlyArray<{ readonly side: SideName; readonly action: PerturbAction }>;
  readonly local: readonly PerturbAction[];
  readonly remote: readonly PerturbAction[];
  readonly during: ReadonlyArray<{
    readonly round: number;
    readonly side: SideName;
    readonly action: PerturbAction;
  }>;
  readonly concurrency: number;
  readonly failureRate: number;
}

const caseArb: fc.Arbitrary<SimCase> = fc.record({
  seed: fc.nat(),
  share: fc.constantFrom(false, 'viewer' as const, 'editor' as const),
  initial: fc.array(fc.record({ side: sideArb, action: createArb }), { maxLength: 16 }),
  local: fc.array(actionArb, { maxLength: 8 }),
  remote: fc.array(actionArb, { maxLength: 8 }),
  during: fc.array(fc.record({ round: fc.nat(3), side: sideArb, action: actionArb }), {
    maxLength: 4,
  }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  failureRate: fc.constantFrom(0, 0.1, 0.3),
});

/**
 * The notice of moves the operations cannot make (the rule table in docs/sync-engine.md): a
 * run that ends with one is stuck, reported, until the user renames something. Stuck runs must
 * still lose nothing, and be rare; the sides may differ (and a delete wait) around the cycle.
 */
const isStuck = (plan: Plan) =>
  plan.notices.some((notice) => notice.kind === 'waiting' && notice.reason === MOVE_CYCLE);

/** Where the disk and the server differ, apart from what the plan says a viewer keeps. */
function divergence(model: SyncModel, plan: Plan): string[] {
  return isStuck(plan) ? [] : divergenceOf(model, plan).map((problem) => problem.text);
}

function divergenceOf(model: SyncModel, plan: Plan): Array<{ path: string; text: string }> {
  const problems: Array<{ path: string; text: string }> = [];
  const server = new Map(model.server.entries().map((file) => [file.path, file]));
  const keptAsViewer = new Set(
    plan.notices.filter((notice) => notice.kind === 'read_only').map((notice) => notice.path),
  );
  for (const [path, entry] of model.disk.entries) {
    const file = server.get(path);
    if (file === undefined) {
      if (!(keptAsViewer.has(path) && model.server.isInsideViewerShare(path))) {
        problems.push({ path, text: `${path} is only on the disk` });
      }
    } else if (file.kind !== entry.kind || file.content !== entry.content) {
      problems.push({
        path,
        text: `${path} differs: disk ${entry.kind} ${entry.content}, server ${file.kind} ${file.content}`,
      });
    }
  }
  for (const path of server.keys()) {
    if (!model.disk.entries.has(path))
      problems.push({ path, text: `${path} is only on the server` });
  }
  return problems;
}

function contentsOf(model: SyncModel): Set<string> {
  const contents = new Set<string>();
  for (const entry of model.disk.entries.values())
    if (entry.kind === 'file') contents.add(entry.content);
  for (const file of model.server.entries()) if (file.kind === 'file') contents.add(file.content);
  return contents;
}

function lostAndZombies(model: SyncModel, history: EditHistory, stuck: boolean): string[] {
  const present = contentsOf(model);
  const problems: string[] = [];
  for (const content of history.written) {
    if (history.released.has(content) || present.has(content)) continue;
    const raced = history.racedOnServer.has(content) && model.server.hasVersionWith(content);
    if (!raced) problems.push(`lost ${content}`);
  }
  for (const [content, side] of history.deleted) {
    if (
      !stuck &&
      !history.mayComeBack.has(content) &&
      !history.movedDuringSync.has(content) &&
      present.has(content)
    ) {
      problems.push(`zombie ${content} (deleted on the ${side} side)`);
    }
  }
  return problems;
}

function describeState(model: SyncModel): string {
  const disk = [...model.disk.entries]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, entry]) => `  ${path}${entry.kind === 'file' ? ` = ${entry.content}` : '/'}`);
  const server = model.server
    .entries()
    .map(
      (file) =>
        `  ${file.path}${file.kind === 'file' ? ` = ${file.content}` : '/'}${file.mount ? ` (${file.mount.role})` : ''}`,
    );
  const trees = (['local', 'remote', 'synced'] as const).map(
    (name) =>
      `${name}: ${model[name]
        .list()
        .map((row) => `${row.itemId}=${row.path}`)
        .join(' ')}`,
  );
  return ['disk:', ...disk, 'server:', ...server, ...trees].join('\n');
}

function failure(
  title: string,
  problems: string[],
  model: SyncModel,
  result: LoopResult,
  before = '',
): Error {
  return new Error(
    [
      title,
      ...problems.map((p) => `  ${p}`),
      ...(before === '' ? [] : ['before the sync:', before, 'after:']),
      describeState(model),
      'trace:',
      ...(result.trace.length <= 80
        ? result.trace
        : [...result.trace.slice(0, 60), '…', ...result.trace.slice(-20)]),
    ].join('\n'),
  );
}

/**
 * One run: the initial sync, the changes, the sync; throws with what went wrong. Returns
 * whether the end state is stuck on a known limitation (reported by the plan).
 */
function runCase(simCase: SimCase): boolean {
  const random = seededRandom(simCase.seed);
  const model = createSyncModel();
  if (simCase.share !== false) {
    model.server.mountShare(SHARE_PATH, simCase.share === 'editor' ? 'editor' : 'viewer');
  }
  const setup = new EditHistory();
  for (const { side, action } of simCase.initial) perturb(model, side, action, setup);
  const initial = syncModelUntilAgreed(model, {
    random,
    concurrency: 1,
    failureRate: 0,
    maxRounds: MAX_ROUNDS,
  });
  const initialProblems = divergence(model, initial.plan);
  if (!initial.agreed || initialProblems.length > 0) {
    throw failure('the initial sync did not agree', initialProblems, model, initial);
  }

  const history = new EditHistory(setup);
  history.recordExisting(model);
  for (const action of simCase.local) perturb(model, 'local', action, history);
  for (const action of simCase.remote) perturb(model, 'remote', action, history);
  const before = describeState(model);
  const result = syncModelUntilAgreed(model, {
    random,
    concurrency: simCase.concurrency,
    failureRate: simCase.failureRate,
    maxRounds: MAX_ROUNDS,
    fullListingRate: 0.1,
    duringSync: simCase.during.map(({ round, side, action }) => ({
      round,
      run: () => perturb(model, side, action, history, { duringSync: true }),
    })),
  });
  if (!result.agreed)
    throw failure(`no agreement after ${result.rounds} rounds`, [], model, result, before);
  // Healing: one more pass with full listings. The journal can leave the remote tree with a
  // file the server deleted while our move_remote of its folder ran (the tombstone names the
  // old path, the executor already moved the row); a full listing drops it.
  const healed = syncModelUntilAgreed(model, {
    random,
    concurrency: 1,
    failureRate: 0,
    maxRounds: MAX_ROUNDS,
    fullListingRate: 1,
  });
  const trace = { ...healed, trace: [...result.trace, 'healing:', ...healed.trace] };
  if (!healed.agreed) throw failure('no agreement after healing', [], model, trace, before);
  const stuck = isStuck(healed.plan);
  const problems = [...divergence(model, healed.plan), ...lostAndZombies(model, history, stuck)];
  if (problems.length > 0)
    throw failure('the sides disagree or lost an edit', problems, model, trace, before);
  if (process.env.FERRY_SIM_VERBOSE === '1') {
    console.info(describeState(model), '\n', trace.trace.join('\n'));
  }
  return stuck;
}

function seeds(): number[] {
  const replay = process.env.FERRY_SIM_SEED;
  if (replay !== undefined && replay !== '') return [Number(replay)];
  const runs = Number(process.env.FERRY_SIM_RUNS ?? 200);
  return Array.from({ length: runs }, (_, index) => FIRST_SEED + index);
}

describe('planOperations in the sync model', () => {
  it('terminates, converges and loses no edit, whatever both sides did', () => {
    // A shrunk counterexample, as fast-check printed it, runs alone (to debug it).
    const replay = process.env.FERRY_SIM_CASE;
    if (replay !== undefined && replay !== '') {
      runCase((JSON.parse(replay) as SimCase[])[0]!);
      return;
    }
    const runs = seeds();
    let stuck = 0;
    for (const seed of runs) {
      try {
        fc.assert(
          fc.property(caseArb, (simCase) => {
            if (runCase(simCase)) stuck += 1;
          }),
          { seed, numRuns: 1 },
        );
      } catch (error) {
        const cause = (error as Error).cause;
        throw new Error(
          [
            `seed ${seed} failed; replay: FERRY_SIM_SEED=${seed} npx vitest run sync-engine/src/plan`,
            (error as Error).message,
            cause instanceof Error ? cause.message : '',
          ].join('\n'),
        );
      }
    }
    // Known limitations stay rare: a planner change that makes them common fails here.
    expect(stuck).toBeLessThanOrEqual(Math.ceil(runs.length * 0.02));
  });
});
