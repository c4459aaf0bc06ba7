/**
 * The one-line summary at the top of the window (and its tone), from the engine's status:
 * what a person wants to know first. Pure, so every state is tested without a browser.
 */
import type { EngineStatus } from 'sync-engine/control';
import { formatBytes } from '../../ui/format.js';

/** The colour and icon family of a summary. */
export type StatusTone = 'ok' | 'busy' | 'paused' | 'offline' | 'attention';

/** What the status header says. */
export interface StatusSummary {
  readonly tone: StatusTone;
  readonly headline: string;
  readonly detail: string;
}

/** The summary of `status`; `conflictCount` turns an otherwise idle engine into "attention". */
export function describeStatus(status: EngineStatus, conflictCount: number): StatusSummary {
  const { progress } = status;
  const pending =
    progress.filesPending === 0
      ? ''
      : `${progress.filesPending.toLocaleString('en')} ${progress.filesPending === 1 ? 'file' : 'files'} left` +
        (progress.bytesPending > 0 ? ` · ${formatBytes(progress.bytesPending)}` : '');
  switch (status.state) {
    case 'starting':
      return { tone: 'busy', headline: 'Starting…', detail: 'Opening your folder' };
    case 'scanning':
      return { tone: 'busy', headline: 'Checking for changes…', detail: status.folder };
    case 'syncing':
      return {
        tone: 'busy',
        headline: 'Syncing',
        detail: pending || 'Sending and receiving changes',
      };
    case 'paused':
      return {
        tone: 'paused',
        headline: 'Paused',
        detail:
          pending === ''
            ? 'Changes wait until you resume'
            : `${pending} · waiting for you to resume`,
      };
    case 'offline':
      return {
        tone: 'offline',
        headline: 'Offline',
        detail: status.message ?? 'The server cannot be reached; Ferry keeps trying',
      };
    case 'held':
      return {
        tone: 'attention',
        headline: 'Deletions held',
        detail: `${(status.heldDeletes?.count ?? 0).toLocaleString('en')} files were deleted elsewhere; confirm before they go here`,
      };
    case 'error':
      return {
        tone: 'attention',
        headline: 'Syncing stopped',
        detail: status.message ?? 'See the problems below',
      };
    case 'stopped':
      return { tone: 'offline', headline: 'Stopped', detail: 'The sync engine has shut down' };
    case 'idle':
      if (conflictCount > 0) {
        return {
          tone: 'attention',
          headline:
            conflictCount === 1 ? '1 conflict' : `${conflictCount.toLocaleString('en')} conflicts`,
          detail: 'Everything else is up to date',
        };
      }
      return { tone: 'ok', headline: 'Up to date', detail: 'Your files are in sync' };
  }
}
