/**
 * The gate every port call of one simulated device passes (its FileSystem and its RemoteClient):
 * it counts the calls, plays the one interruption armed for the current sync at its call number
 * (a crash, or something else happening meanwhile), and once the device has "crashed" fails
 * every call, before and after the real one, so no code of the dead engine gets past a port.
 */

/** Thrown by every port call of a crashed device. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** Something that happens at the `atCall`-th port call of a sync. */
export interface Interruption {
  /** 1-based: the call number (fs and remote calls counted together). */
  readonly atCall: number;
  /** Before the real call, or once it has finished (its effect happened, its answer is lost). */
  readonly when: 'before' | 'after';
  /** A crash kills the engine; a hook runs something else (another device's sync, a user edit). */
  readonly kind: 'crash' | 'hook';
  readonly run?: () => Promise<void>;
}

export class PortGate {
  /** Port calls since the gate was armed. */
  calls = 0;
  crashed = false;
  /** Where the armed interruption fired (`fs.rename`, `remote.commitFile`…), once it did. */
  firedAt: string | undefined;
  private interruption: Interruption | undefined;
  private abort: AbortController | undefined;
  private busy = false;

  /** Arms `interruption` for the next sync, whose signal `abort` ends on a crash. */
  arm(interruption: Interruption | undefined, abort: AbortController): void {
    this.calls = 0;
    this.firedAt = undefined;
    this.interruption = interruption;
    this.abort = abort;
  }

  disarm(): void {
    this.interruption = undefined;
    this.abort = undefined;
  }

  /** After a restart: the new engine's calls pass again. */
  revive(): void {
    this.crashed = false;
    this.disarm();
  }

  private async play(call: string, when: 'before' | 'after'): Promise<void> {
    const interruption = this.interruption;
    if (interruption === undefined || this.busy) return;
    if (interruption.when !== when || interruption.atCall !== this.calls) return;
    this.interruption = undefined;
    this.firedAt = `${when} ${call} (call ${this.calls})`;
    if (interruption.kind === 'crash') {
      this.crashed = true;
      this.abort?.abort(new SimulatedCrash(`crashed ${this.firedAt}`));
      throw new SimulatedCrash(`crashed ${this.firedAt}`);
    }
    // The hook's own port calls (a user edit through this device's fs) are not counted.
    this.busy = true;
    try {
      await interruption.run?.();
    } finally {
      this.busy = false;
    }
  }

  /** Before a port call: throws once crashed; plays an interruption due now. */
  async before(call: string): Promise<void> {
    if (this.crashed) throw new SimulatedCrash(`${call} after the crash`);
    if (this.busy) return;
    this.calls += 1;
    await this.play(call, 'before');
  }

  /** After a port call finished: a crashed engine never sees its answer. */
  async after(call: string): Promise<void> {
    if (this.crashed) throw new SimulatedCrash(`${call} answered after the crash`);
    await this.play(call, 'after');
  }

  /** A crash check without counting (chunks of a stream). */
  check(call: string): void {
    if (this.crashed) throw new SimulatedCrash(`${call} after the crash`);
  }
}
