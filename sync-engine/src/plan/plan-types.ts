/**
 * The planner's input and output. Structural types only: the state's tree rows fit them, and
 * `plan/` imports nothing that does I/O (not even `state/`).
 */
import type { Brand, Rev } from '../protocol/index.js';

/** A tracked item's stable id (the state's ItemId is a branded string). */
export type PlanItemId = Brand<string, 'ItemId'>;
export type PlanKind = 'file' | 'folder';

/** What the scanner last saw on disk. */
export interface PlanLocalItem {
  readonly itemId: PlanItemId;
  readonly kind: PlanKind;
  readonly path: string;
  /** xxHash64 of the content; files only. */
  readonly fingerprint?: string | undefined;
}

/** What the server last said. */
export interface PlanRemoteItem {
  readonly itemId: PlanItemId;
  readonly kind: PlanKind;
  readonly path: string;
  readonly rev?: Rev | undefined;
  /** A share's mount point: the user's role in it decides whether anything inside is writable. */
  readonly mount?: { readonly role: 'viewer' | 'editor' } | undefined;
}

/** The merge base: what both sides last agreed on. */
export interface PlanSyncedItem {
  readonly itemId: PlanItemId;
  readonly kind: PlanKind;
  readonly path: string;
  readonly rev?: Rev | undefined;
  readonly fingerprint?: string | undefined;
  /**
   * The server's old copy of an item moved here across a share's boundary, once the copy is
   * committed (copy, then delete): deleting it completes that move, so the mass-delete guard
   * does not count it.
   */
  readonly copiedAcross?: boolean | undefined;
}

/** When deletions on the server are held for a confirmation (SPEC: mass-delete guard). */
export interface MassDeletePolicy {
  /** More files than this in one plan are held. */
  readonly maxFiles: number;
  /** More than this fraction of the synced files are held… */
  readonly maxFraction: number;
  /** …once the synced tree has at least this many files (deleting 2 of 3 files is normal). */
  readonly fractionFloorFiles: number;
}

export const DEFAULT_MASS_DELETE_POLICY: MassDeletePolicy = {
  maxFiles: 1000,
  maxFraction: 0.5,
  fractionFloorFiles: 20,
};

export interface PlanInput {
  readonly local: readonly PlanLocalItem[];
  readonly remote: readonly PlanRemoteItem[];
  readonly synced: readonly PlanSyncedItem[];
  /** The user confirmed the held deletions (`--allow-mass-delete`, or the control API). */
  readonly allowMassDelete?: boolean;
  readonly massDelete?: MassDeletePolicy;
}

/** Why the local version is set aside as a conflicted copy. */
export type ConflictCause =
  /** Both sides changed the file since they last agreed. */
  | 'edit_edit'
  /** Both sides created a file at one path (the executor compares contents first). */
  | 'both_added'
  /** The user changed a file in a folder shared with them as viewer: kept, never uploaded. */
  | 'read_only';

/**
 * One step towards agreement. Executors re-read the trees before acting, so an operation whose
 * premise changed meanwhile is skipped, and the next plan sees the new state.
 */
export type Operation =
  /** Commit the local file's content at `path` (its remote path equals its local one). */
  | {
      readonly kind: 'upload';
      readonly itemId: PlanItemId;
      readonly path: string;
      /** The revision the edit is based on; absent for a new file. */
      readonly parentRev?: Rev | undefined;
      /** The server deleted the file while it was edited here: the edit wins (SPEC). */
      readonly restoresDeleted?: boolean;
      /**
       * Moved here into or out of a share (the server refuses that move): committed as a new
       * file at `path`; the server's copy at the old path then becomes an item of its own,
       * deleted here, whose delete_remote follows (copy, then delete).
       */
      readonly crossShare?: boolean;
    }
  /** Bring the server's version of the file to `path`. */
  | { readonly kind: 'download'; readonly itemId: PlanItemId; readonly path: string }
  | {
      readonly kind: 'mkdir_remote';
      readonly itemId: PlanItemId;
      readonly path: string;
      /** A folder moved into or out of a share: created there as new, as `upload`'s. */
      readonly crossShare?: boolean;
    }
  | { readonly kind: 'mkdir_local'; readonly itemId: PlanItemId; readonly path: string }
  /** Delete on the server; a folder goes with everything under it (one request). */
  | {
      readonly kind: 'delete_remote';
      readonly itemId: PlanItemId;
      readonly path: string;
      /**
       * Files it deletes that were deleted here (the mass-delete guard counts them), not the old
       * copies of moves across a share's boundary (`copiedAcross`).
       */
      readonly files: number;
    }
  /** Delete a file, or an empty folder, on disk. */
  | { readonly kind: 'delete_local'; readonly itemId: PlanItemId; readonly path: string }
  | {
      readonly kind: 'move_remote';
      readonly itemId: PlanItemId;
      readonly from: string;
      readonly to: string;
      /**
       * Out of the way of a move cycle (two names swapped here): the server's copy goes to a
       * free temporary name, the merge base with it, and the local copy stays where it is; its
       * own move follows once the other items of the cycle have taken their places.
       */
      readonly aside?: boolean;
    }
  | {
      readonly kind: 'move_local';
      readonly itemId: PlanItemId;
      readonly from: string;
      readonly to: string;
      /** Both sides renamed it: the server's rename came first and wins (SPEC). */
      readonly renameConflict?: boolean;
      /**
       * Out of the way of a move cycle (two names swapped on the server): the local copy goes to
       * a free temporary name beside it, the merge base with it; the server's copy stays.
       */
      readonly aside?: boolean;
    }
  /** Set the local version aside as a conflicted copy; the next plan downloads the server's. */
  | {
      readonly kind: 'conflict';
      readonly itemId: PlanItemId;
      readonly path: string;
      readonly cause: ConflictCause;
    }
  /** Both sides already agree (same place, same content as far as known): record it. */
  | { readonly kind: 'record'; readonly itemId: PlanItemId }
  /** Gone on both sides: drop the merge base. */
  | { readonly kind: 'forget'; readonly itemId: PlanItemId };

export type OperationKind = Operation['kind'];

/** Something the planner leaves alone on purpose, for the user to see. */
export type PlanNotice =
  | { readonly kind: 'read_only'; readonly path: string }
  | { readonly kind: 'waiting'; readonly path: string; readonly reason: string }
  /**
   * A move made here that the server cannot take (into or out of a viewer's share, a shared
   * folder into another one): undone, the item goes back to `back`, where the server has it.
   */
  | {
      readonly kind: 'move_undone';
      readonly itemId: PlanItemId;
      readonly path: string;
      readonly back: string;
      readonly reason: string;
    };

export interface Plan {
  readonly operations: readonly Operation[];
  /** Deletions held by the mass-delete guard (not in `operations`). */
  readonly heldDeletes: readonly Extract<Operation, { kind: 'delete_remote' }>[];
  readonly heldDeleteFiles: number;
  readonly notices: readonly PlanNotice[];
}
