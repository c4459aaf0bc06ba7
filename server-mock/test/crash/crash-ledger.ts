/**
 * What the crash workload sent and what the server acknowledged, so that after a SIGKILL and a
 * restart the verifier can tell a lost commit (acknowledged, now missing: data loss) from an
 * unacknowledged one (may or may not be there, but never half there).
 */
import type { BlockId, Rev } from 'sync-engine/protocol';

/** A content sent for a path; `blockIds` when the client chunked it (commit path). */
export interface SentContent {
  readonly content: Uint8Array;
  readonly blockIds?: readonly BlockId[];
}

/** A commit the server answered 200 to. */
export interface AckedCommit {
  readonly path: string;
  readonly rev: Rev;
  readonly content: Uint8Array;
}

/** A resumable upload session and how many bytes the server acknowledged (308 Range). */
export interface SessionRecord {
  readonly location: string;
  readonly path: string;
  readonly content: Uint8Array;
  ackedBytes: number;
  finished: boolean;
}

export class CrashLedger {
  readonly acked: AckedCommit[] = [];
  readonly sessions: SessionRecord[] = [];
  /** Failures that are not explained by the kill (wrong statuses, errors before it). */
  readonly unexpected: string[] = [];
  /** Sessions that resumed through `bytes *\/total` → 308 after a restart. */
  resumedSessions = 0;
  /** Revisions already downloaded and checked after an earlier restart. */
  readonly verifiedRevs = new Set<string>();
  private readonly sent = new Map<string, SentContent[]>();
  private readonly lastRev = new Map<string, Rev>();
  private waiters: Array<{ count: number; wake: () => void }> = [];

  /** Records a content about to be committed at `path` (before the request goes out). */
  send(path: string, content: Uint8Array, blockIds?: readonly BlockId[]): void {
    const list = this.sent.get(path) ?? [];
    list.push({ content, blockIds });
    this.sent.set(path, list);
  }

  /** Records a 200 commit. */
  ack(path: string, rev: Rev, content: Uint8Array): void {
    this.acked.push({ path, rev, content });
    this.lastRev.set(path, rev);
    const ready = this.waiters.filter((w) => this.acked.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.acked.length < w.count);
    ready.forEach((w) => w.wake());
  }

  /** The newest acknowledged revision of `path`: the parentRev of the next commit. */
  lastAckedRev(path: string): Rev | null {
    return this.lastRev.get(path) ?? null;
  }

  /** Every content ever sent for `path`. */
  sentAt(path: string): readonly SentContent[] {
    return this.sent.get(path) ?? [];
  }

  /** Resolves once `count` commits in total were acknowledged, or after `timeoutMs`. */
  waitForAcks(count: number, timeoutMs: number): Promise<void> {
    if (this.acked.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push({
        count,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** True when both byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
