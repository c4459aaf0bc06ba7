/**
 * One simulated device: a real folder in a temp dir, a real SQLite state file and a FolderSync
 * against the real server, with its ports wrapped (PortGate, FaultyRemote, SimFileSystem) and
 * the simulation's clock. A crash kills the engine at a chosen port call; the device then
 * restarts from what the state file holds, as a real process would after a kill.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExecuteReporter } from '../../execute/execute-context.js';
import { FolderSync, RoundStopped, type SyncOutcome } from '../../loop/folder-sync.js';
import type { Operation } from '../../plan/index.js';
import { openClientState, type ClientState, type ItemId } from '../../state/index.js';
import type { RemoteTestServer, TestDevice } from '../remote-test-server.js';
import { createSeededRandom } from '../seeded-random.js';
import { createFaultyRemote, type NetworkConditions } from './faulty-remote.js';
import { PortGate, type Interruption } from './port-gate.js';
import type { SimClock } from './sim-clock.js';
import { createSimFileSystem, type DiskConditions } from './sim-file-system.js';
import { gateState } from './gated-state.js';
import { VirtualInodes } from './virtual-inodes.js';

/** How one sync of a device ended. */
export type SyncResult =
  | { readonly kind: 'agreed' | 'not_agreed'; readonly outcome: SyncOutcome }
  | { readonly kind: 'offline'; readonly reason: string }
  | { readonly kind: 'crashed'; readonly at: string }
  /** Anything else the engine threw: always a bug (SPEC: nothing causes a crash). */
  | { readonly kind: 'error'; readonly error: unknown };

export interface SimDeviceOptions {
  readonly server: RemoteTestServer;
  readonly login: TestDevice;
  readonly dir: string;
  readonly name: string;
  readonly clock: SimClock;
  /** Seeds this device's own random streams (faults, inode reuse). */
  readonly seed: number;
  readonly log: (line: string) => void;
  /** Log every server call and its answer and every plan; 'rows': also each item's rows. */
  readonly trace?: false | 'calls' | 'rows';
}

export class SimDevice {
  readonly name: string;
  readonly folder: string;
  readonly statePath: string;
  readonly gate = new PortGate();
  readonly network: NetworkConditions = { offline: false, failureRate: 0 };
  readonly disk: DiskConditions = { failureRate: 0 };
  readonly inodes: VirtualInodes;
  /** Step until which the device stays offline or flaky. */
  offlineUntilStep = 0;
  flakyUntilStep = 0;
  diskTroubleUntilStep = 0;
  /** Operations reported done by the last sync. */
  lastSynced: string[] = [];
  lastOutcome: SyncResult | undefined;
  /** The state file's connection; the engine gets it through gateState. */
  private state!: ClientState;
  private sync!: FolderSync;
  private readonly options: SimDeviceOptions;
  private readonly faultRandom: () => number;
  private readonly diskRandom: () => number;

  private constructor(options: SimDeviceOptions) {
    this.options = options;
    this.name = options.name;
    this.folder = path.join(options.dir, options.name, 'folder');
    this.statePath = path.join(options.dir, options.name, 'state.sqlite');
    this.faultRandom = createSeededRandom(options.seed * 4 + 1);
    this.inodes = new VirtualInodes(createSeededRandom(options.seed * 4 + 2), 0.3);
    this.diskRandom = createSeededRandom(options.seed * 4 + 3);
  }

  static async create(options: SimDeviceOptions): Promise<SimDevice> {
    const device = new SimDevice(options);
    await mkdir(device.folder, { recursive: true });
    device.open();
    return device;
  }

  /** The server client of this device, without faults (for the final checks). */
  get client() {
    return this.options.login.client;
  }

  private open(): void {
    const { login, server, clock, log } = this.options;
    this.state = openClientState(this.statePath);
    const report: ExecuteReporter = {
      synced: (action, p, details) =>
        this.lastSynced.push(
          details?.fromPath === undefined ? `${action} ${p}` : `${action} ${details.fromPath}→${p}`,
        ),
      conflict: (conflict) =>
        log(
          `  ${this.name} conflict ${conflict.reason} ${conflict.path}${conflict.conflictedCopyPath === undefined ? '' : ` → ${conflict.conflictedCopyPath}`}`,
        ),
      problem: (code, message) => log(`  ${this.name} problem ${code}: ${message}`),
      transferred: () => undefined,
    };
    this.sync = new FolderSync({
      state: gateState(this.state, this.gate),
      fs: createSimFileSystem({
        root: this.folder,
        gate: this.gate,
        inodes: this.inodes,
        disk: this.disk,
        random: this.diskRandom,
        log: (line) => log(`  ${this.name} ${line}`),
      }),
      remote: createFaultyRemote({
        inner: login.client,
        gate: this.gate,
        network: this.network,
        random: this.faultRandom,
        log: (line) => log(`  ${this.name} ${line}`),
        ...(this.options.trace
          ? { trace: (line: string) => log(`    ${this.name} → ${line}`) }
          : {}),
      }),
      clock,
      report,
      serverUrl: server.url,
      userId: login.login.userId,
      rootNamespace: login.login.rootNamespace,
      deviceName: this.name,
      // One operation at a time: the order of port calls, and so every interruption point, is
      // the same on each replay of a seed.
      concurrency: 1,
    });
    // The simulation deletes big parts of small trees on purpose: no confirmation to wait for.
    this.sync.allowMassDelete = true;
    if (this.options.trace) this.tracePlans(this.sync);
  }

  /** An operation's item in the three trees: `kind id L=path:inode:fp R=path:rev:file S=…`. */
  private rowsOf(operation: Operation): string {
    const id = operation.itemId as ItemId;
    const { local, remote, synced } = this.state.items;
    const l = local.get(id);
    const r = remote.get(id);
    const y = synced.get(id);
    const fp = (value: string | undefined) => value?.slice(0, 6);
    return [
      `${operation.kind} ${id.slice(0, 8)}`,
      `L=${l === undefined ? '-' : `${l.path}:${l.inode}:${fp(l.fingerprint)}`}`,
      `R=${r === undefined ? '-' : `${r.path}:${r.rev}:${r.fileId}`}`,
      `S=${y === undefined ? '-' : `${y.path}:${y.rev}:${fp(y.fingerprint)}`}`,
    ].join(' ');
  }

  /** Logs every non-empty plan the engine makes (FERRY_SIM_TRACE). */
  private tracePlans(sync: FolderSync): void {
    const plan = sync.plan.bind(sync);
    sync.plan = () => {
      const made = plan();
      const operations = made.operations.map((operation) =>
        'from' in operation
          ? `${operation.kind} ${operation.from}→${operation.to}`
          : 'path' in operation
            ? `${operation.kind} ${operation.path}`
            : `${operation.kind} ${operation.itemId}`,
      );
      if (operations.length > 0)
        this.options.log(`    ${this.name} plan: ${operations.join(', ')}`);
      if (this.options.trace === 'rows') {
        for (const operation of made.operations)
          this.options.log(`      ${this.rowsOf(operation)}`);
      }
      return made;
    };
  }

  /** The engine was killed: drop it and start a new one from the state file. */
  private restart(): void {
    this.state.close();
    this.gate.revive();
    this.open();
  }

  /** One `syncUntilAgreed`, with `interruption` armed at one of its port calls. */
  async runSync(interruption?: Interruption): Promise<SyncResult> {
    const abort = new AbortController();
    this.gate.arm(interruption, abort);
    this.lastSynced = [];
    let result: SyncResult;
    try {
      const outcome = await this.sync.syncUntilAgreed(abort.signal);
      result = { kind: outcome.agreed ? 'agreed' : 'not_agreed', outcome };
    } catch (error) {
      if (this.gate.crashed) {
        result = { kind: 'crashed', at: this.gate.firedAt ?? 'unknown' };
        this.restart();
      } else if (error instanceof RoundStopped) {
        result = { kind: 'offline', reason: error.message };
      } else {
        result = { kind: 'error', error };
      }
    } finally {
      this.gate.disarm();
    }
    this.lastOutcome = result;
    return result;
  }

  close(): void {
    this.state.close();
  }
}
