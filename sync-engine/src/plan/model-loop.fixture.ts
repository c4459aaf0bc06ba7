/**
 * Test harness: `FolderSync.syncUntilAgreed` on the sync model. Each round pulls, scans, plans
 * and runs the plan's operations in a shuffled order, a few at once (their steps interleaved),
 * some failing at a random step (a lost connection, a crash: what was done stays done) and
 * planned again in a later round, until the plan is empty. Held deletions are confirmed once,
 * as a user answering the mass-delete prompt would. Pure: imported only by the planner's tests.
 */
import { executeSteps, type ModelSteps } from './model-executors.fixture.js';
import { planModel, pull, scan, type SyncModel } from './model-sync.fixture.js';
import type { Operation, Plan } from './plan-types.js';

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoopOptions {
  readonly random: () => number;
  /** Operations running at once (the loop's default is 8). */
  readonly concurrency: number;
  /** The chance that an operation fails, at a random one of its steps. */
  readonly failureRate: number;
  readonly maxRounds: number;
  /** The chance that a pull is a full listing (the cursor expired) instead of the journal. */
  readonly fullListingRate?: number;
  /** Things users do while the sync runs: each fires at a random step of its round. */
  readonly duringSync?: ReadonlyArray<{ readonly round: number; readonly run: () => void }>;
}

export interface LoopResult {
  /** The plan is empty and nothing is held. */
  readonly agreed: boolean;
  readonly rounds: number;
  readonly plan: Plan;
  readonly massDeleteConfirmed: boolean;
  /** What happened, round by round: for a failure's message. */
  readonly trace: readonly string[];
}

const describe = (operation: Operation) =>
  'path' in operation
    ? `${operation.kind}${'crossShare' in operation && operation.crossShare === true ? ' (copy across a share)' : ''} ${operation.path}`
    : 'from' in operation
      ? `${operation.kind} ${operation.from} -> ${operation.to}`
      : `${operation.kind} ${operation.itemId}`;

function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const result = [...list];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

interface Running {
  readonly operation: Operation;
  readonly steps: ModelSteps;
  /** The step at which it fails, or -1. */
  readonly failAt: number;
  taken: number;
}

/** Runs the operations of one round; returns one line per operation for the trace. */
function runRound(
  model: SyncModel,
  operations: readonly Operation[],
  options: LoopOptions,
  pending: Array<() => void>,
): string[] {
  const { random } = options;
  const queue = shuffled(operations, random);
  const running: Running[] = [];
  const lines: string[] = [];
  const firePending = (chance: number) => {
    while (pending.length > 0 && random() < chance) pending.shift()!();
  };
  while (queue.length > 0 || running.length > 0) {
    while (running.length < options.concurrency && queue.length > 0) {
      const operation = queue.shift()!;
      const fails = random() < options.failureRate;
      running.push({
        operation,
        steps: executeSteps(model, operation),
        failAt: fails ? Math.floor(random() * 8) : -1,
        taken: 0,
      });
    }
    firePending(0.2);
    const index = Math.floor(random() * running.length);
    const current = running[index]!;
    let end: string | undefined;
    if (current.taken === current.failAt) {
      end = 'failed (injected)';
    } else {
      try {
        const step = current.steps.next();
        current.taken += 1;
        if (step.done === true) end = step.value;
      } catch (error) {
        end = `failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (end !== undefined) {
      running.splice(index, 1);
      lines.push(`  ${describe(current.operation)}: ${end}`);
    }
  }
  firePending(1);
  return lines;
}

/** Syncs until the plan is empty or `maxRounds` rounds ran. */
export function syncModelUntilAgreed(model: SyncModel, options: LoopOptions): LoopResult {
  const trace: string[] = [];
  let allowMassDelete = false;
  let massDeleteConfirmed = false;
  let plan: Plan | undefined;
  let round = 0;
  const later = [...(options.duringSync ?? [])];
  for (; round < options.maxRounds; round += 1) {
    pull(model, { fullListing: options.random() < (options.fullListingRate ?? 0) });
    scan(model);
    plan = planModel(model, { allowMassDelete });
    const pending = later.filter((action) => action.round === round).map((action) => action.run);
    const stillLater = later.filter((action) => action.round > round);
    trace.push(
      `round ${round}: ${plan.operations.length} operations` +
        (plan.heldDeletes.length > 0 ? `, ${plan.heldDeletes.length} deletions held` : '') +
        (plan.notices.length > 0
          ? `, notices: ${plan.notices.map((notice) => `${notice.kind} ${notice.path}`).join('; ')}`
          : ''),
    );
    if (plan.operations.length === 0 && pending.length === 0 && stillLater.length === 0) {
      if (plan.heldDeletes.length === 0 || allowMassDelete) break;
      allowMassDelete = true;
      massDeleteConfirmed = true;
      continue;
    }
    trace.push(...runRound(model, plan.operations, options, pending));
    later.length = 0;
    later.push(...stillLater);
  }
  const finalPlan = plan ?? planModel(model, { allowMassDelete });
  return {
    agreed:
      round < options.maxRounds &&
      finalPlan.operations.length === 0 &&
      finalPlan.heldDeletes.length === 0,
    rounds: round,
    plan: finalPlan,
    massDeleteConfirmed,
    trace,
  };
}
