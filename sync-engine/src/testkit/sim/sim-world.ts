/**
 * The randomized multi-device simulation of one seed: three devices of one user against one
 * real server, driven by a seeded stream of steps (users changing their folders, syncs, syncs
 * interrupted by a crash or by another device's sync, offline and flaky periods), then healed
 * (everyone online, round-robin syncs until all agree and nothing moves) and checked against
 * the model: identical trees, the server's tree the same, no lost edit, no zombie, no torn file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RemoteTestServer } from '../remote-test-server.js';
import { diffTrees, readDiskTree, type DiskTree } from './disk-tree.js';
import { SimModel } from './model.js';
import type { Interruption } from './port-gate.js';
import { runUserAction, USER_ACTION_WEIGHTS, type UserActionKind } from './sim-actions.js';
import { SimClock } from './sim-clock.js';
import { SimDevice, type SyncResult } from './sim-device.js';
import { SimRandom } from './sim-random.js';

export interface SimulationOptions {
  readonly server: RemoteTestServer;
  readonly seed: number;
  readonly steps: number;
  /** A fresh directory for this seed's folders and state files. */
  readonly dir: string;
  /** Devices of the one user (default 3). */
  readonly devices?: number;
  /** Log every server call and plan of every device (FERRY_SIM_TRACE=1; =rows: item rows too). */
  readonly trace?: false | 'calls' | 'rows';
  /** Heal rounds at most before the seed fails as not converging (default 12). */
  readonly maxHealRounds?: number;
}

export interface SimulationResult {
  readonly seed: number;
  /** Every step and what came of it. */
  readonly log: readonly string[];
  /** Empty when the seed passed. */
  readonly failures: readonly string[];
}

const STEP_WEIGHTS = {
  user: 50,
  sync: 22,
  crash: 7,
  interleave: 6,
  edit_during_sync: 4,
  offline: 4,
  flaky: 4,
  disk_trouble: 3,
} as const;

const DEVICE_NAMES = ['A', 'B', 'C', 'D', 'E'];

export function describeResult(result: SyncResult): string {
  switch (result.kind) {
    case 'agreed':
    case 'not_agreed': {
      const { outcome } = result;
      const failures = outcome.failures.map((f) => `${f.operation} ${f.path}: ${f.code}`);
      const open = outcome.plan.operations.map((o) => o.kind);
      return result.kind === 'agreed'
        ? 'agreed'
        : `not agreed (plan: ${open.join(', ') || 'empty'}; held deletes: ${outcome.plan.heldDeletes.length}; failures: ${failures.join('; ') || 'none'})`;
    }
    case 'offline':
      return `offline (${result.reason})`;
    case 'crashed':
      return `crashed ${result.at}, restarted from the state file`;
    case 'error':
      return `threw ${result.error instanceof Error ? (result.error.stack ?? result.error.message) : String(result.error)}`;
  }
}

class Simulation {
  readonly log: string[] = [];
  readonly failures: string[] = [];
  readonly model = new SimModel();
  readonly random: SimRandom;
  readonly clock: SimClock;
  devices: SimDevice[] = [];
  step = 0;

  constructor(private readonly options: SimulationOptions) {
    this.random = new SimRandom(options.seed);
    this.clock = new SimClock(Date.UTC(2025, 0, 1) + (options.seed % 1000) * 86_400_000);
  }

  note(line: string): void {
    this.log.push(line);
  }

  async setUp(): Promise<void> {
    const { server, seed, dir } = this.options;
    const count = this.options.devices ?? 3;
    const user = await server.createUser(`sim${seed}x${Date.now().toString(36)}`, 'A');
    for (let i = 0; i < count; i += 1) {
      const name = DEVICE_NAMES[i]!;
      const login = i === 0 ? user : await server.addDevice(user, name);
      await mkdir(path.join(dir, name), { recursive: true });
      this.devices.push(
        await SimDevice.create({
          server,
          login,
          dir,
          name,
          clock: this.clock,
          seed: seed * 31 + i,
          log: (line) => this.note(line),
          trace: this.options.trace ?? false,
        }),
      );
    }
  }

  /** Records a sync's result; an error thrown by the engine fails the seed. */
  private noteSync(device: SimDevice, label: string, result: SyncResult): void {
    const done = device.lastSynced.length > 0 ? ` [${device.lastSynced.join(', ')}]` : '';
    this.note(`  ${device.name} ${label}: ${describeResult(result)}${done}`);
    if (result.kind === 'error') {
      this.failures.push(`${device.name} ${label} at step ${this.step}: ${describeResult(result)}`);
    }
    // Not agreed with nothing failing and nothing held: the loop gave up after its round limit
    // while the same operations kept coming back (each one 'stale'), a livelock.
    if (
      result.kind === 'not_agreed' &&
      result.outcome.failures.length === 0 &&
      result.outcome.plan.heldDeletes.length === 0
    ) {
      this.failures.push(
        `${device.name} ${label} at step ${this.step}: livelock, the same plan every round: ${describeResult(result)}`,
      );
    }
  }

  private async userAction(device: SimDevice, indent = ''): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const kind = this.random.weighted<UserActionKind>(USER_ACTION_WEIGHTS);
      const what = await runUserAction(kind, {
        device,
        model: this.model,
        random: this.random,
        clock: this.clock,
        seed: this.options.seed,
        origin: `${device.name} step ${this.step}`,
      });
      if (what !== undefined) {
        this.note(`${indent}${device.name} ${what}`);
        return;
      }
    }
  }

  private interruption(kind: 'crash' | 'hook', run?: () => Promise<void>): Interruption {
    return {
      atCall: this.random.int(1, kind === 'crash' ? 60 : 40),
      when: this.random.chance(0.5) ? 'before' : 'after',
      kind,
      ...(run === undefined ? {} : { run }),
    };
  }

  private updateNetwork(): void {
    for (const device of this.devices) {
      if (device.network.offline && this.step >= device.offlineUntilStep) {
        device.network.offline = false;
        this.note(`${device.name} back online`);
      }
      if (device.network.failureRate > 0 && this.step >= device.flakyUntilStep) {
        device.network.failureRate = 0;
        this.note(`${device.name} network steady again`);
      }
      if (device.disk.failureRate > 0 && this.step >= device.diskTroubleUntilStep) {
        device.disk.failureRate = 0;
        this.note(`${device.name} disk fine again`);
      }
    }
  }

  async runStep(): Promise<void> {
    this.step += 1;
    this.clock.advance(this.random.int(1_000, 30_000));
    this.updateNetwork();
    const device = this.random.pick(this.devices);
    const kind = this.random.weighted(STEP_WEIGHTS);
    this.note(`#${this.step} ${kind} ${device.name}`);
    switch (kind) {
      case 'user':
        await this.userAction(device, '  ');
        return;
      case 'sync':
        this.noteSync(device, 'sync', await device.runSync());
        return;
      case 'crash': {
        const interruption = this.interruption('crash');
        this.note(
          `  ${device.name} will crash ${interruption.when} port call ${interruption.atCall}`,
        );
        const result = await device.runSync(interruption);
        this.noteSync(device, 'sync', result);
        if (result.kind !== 'crashed') this.note(`  (the sync ended before the crash point)`);
        return;
      }
      case 'interleave': {
        const other = this.random.pick(this.devices.filter((d) => d !== device));
        const interruption = this.interruption('hook', async () => {
          this.note(`  … meanwhile ${other.name} syncs`);
          this.noteSync(other, 'sync meanwhile', await other.runSync());
        });
        this.noteSync(
          device,
          `sync (${other.name} at call ${interruption.atCall})`,
          await device.runSync(interruption),
        );
        return;
      }
      case 'edit_during_sync': {
        const interruption = this.interruption('hook', async () => {
          this.note(`  … meanwhile its user:`);
          await this.userAction(device, '    ');
        });
        this.noteSync(
          device,
          `sync (user at call ${interruption.atCall})`,
          await device.runSync(interruption),
        );
        return;
      }
      case 'offline':
        device.network.offline = true;
        device.offlineUntilStep = this.step + this.random.int(2, 8);
        this.note(`  ${device.name} offline until step ${device.offlineUntilStep}`);
        return;
      case 'disk_trouble':
        device.disk.failureRate = 0.1;
        device.diskTroubleUntilStep = this.step + this.random.int(1, 4);
        this.note(`  ${device.name} disk in trouble until step ${device.diskTroubleUntilStep}`);
        return;
      case 'flaky':
        device.network.failureRate = 0.15;
        device.flakyUntilStep = this.step + this.random.int(2, 6);
        this.note(`  ${device.name} flaky until step ${device.flakyUntilStep}`);
        return;
    }
  }

  private async latestCursor(): Promise<string> {
    return this.devices[0]!.client.getLatestCursor(AbortSignal.timeout(30_000));
  }

  /** Everyone online; round-robin syncs until all agree twice and the server stands still. */
  async heal(): Promise<boolean> {
    this.note('heal: everyone online');
    for (const device of this.devices) {
      device.network.offline = false;
      device.network.failureRate = 0;
      device.disk.failureRate = 0;
    }
    const maxRounds = this.options.maxHealRounds ?? 12;
    let agreedRounds = 0;
    for (let round = 1; round <= maxRounds; round += 1) {
      const before = await this.latestCursor();
      let allAgreed = true;
      for (const device of this.devices) {
        // Past every retry backoff (at most 5 minutes).
        this.clock.advance(600_000);
        const result = await device.runSync();
        this.noteSync(device, `heal ${round}`, result);
        if (this.failures.length > 0) return false;
        if (result.kind !== 'agreed') allAgreed = false;
      }
      const still = (await this.latestCursor()) === before;
      agreedRounds = allAgreed ? agreedRounds + 1 : 0;
      if (agreedRounds >= 2 && still) return true;
    }
    this.failures.push(
      `no agreement after ${maxRounds} heal rounds: ${this.devices.map((d) => `${d.name}: ${d.lastOutcome === undefined ? '-' : describeResult(d.lastOutcome)}`).join(' | ')}`,
    );
    return false;
  }

  async check(): Promise<void> {
    const trees: { name: string; tree: DiskTree }[] = [];
    for (const device of this.devices) {
      trees.push({ name: device.name, tree: await readDiskTree(device.folder) });
    }
    const [first, ...others] = trees;
    for (const other of others) {
      const diff = diffTrees(first!, other);
      if (diff.length > 0) {
        this.failures.push(
          `trees differ between ${first!.name} and ${other.name}:`,
          ...diff.map((l) => `  ${l}`),
        );
      }
    }
    for (const { name, tree } of trees) this.failures.push(...this.model.check(name, tree));
    const listing = await this.devices[0]!.client.listFolder(
      { path: '/', recursive: true },
      AbortSignal.timeout(30_000),
    );
    const onServer = listing
      .map((entry) => `${entry.path}${entry.type === 'folder' ? '/' : ''}`)
      .sort();
    const onDisk = [...first!.tree].map(([p, e]) => `${p}${e.kind === 'folder' ? '/' : ''}`).sort();
    if (onServer.join('\n') !== onDisk.join('\n')) {
      this.failures.push(
        `the server's tree is not ${first!.name}'s: server ${JSON.stringify(onServer)}, disk ${JSON.stringify(onDisk)}`,
      );
    }
    this.note(`final tree: ${onDisk.length} entries`);
  }

  close(): void {
    for (const device of this.devices) device.close();
  }
}

/** Runs one seed: set-up, `steps` random steps, heal, check. Never throws for a failed check. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const simulation = new Simulation(options);
  try {
    await simulation.setUp();
    while (simulation.step < options.steps && simulation.failures.length === 0) {
      await simulation.runStep();
    }
    if (simulation.failures.length === 0 && (await simulation.heal())) await simulation.check();
  } catch (error) {
    simulation.failures.push(
      `the simulation threw at step ${simulation.step}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    simulation.close();
  }
  return { seed: options.seed, log: simulation.log, failures: simulation.failures };
}
