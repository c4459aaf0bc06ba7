/**
 * What a scan reports instead of syncing, or besides syncing: every entry the engine leaves
 * alone says why, so nothing is silently dropped (the status, the `--json` stream and the
 * control API show these).
 */
import type { PathProblem } from '../protocol/index.js';
import type { NonPortableReason } from './portable-names.js';

export type ScanProblem =
  /** Synced, but will not work on every device's file system. */
  | { readonly kind: 'not_portable'; readonly path: string; readonly reason: NonPortableReason }
  /** Synced, but only one of them can exist on a case-insensitive file system. */
  | { readonly kind: 'case_only_twins'; readonly paths: readonly string[] }
  /** Skipped: symlinks, FIFOs, sockets and devices are not synced. */
  | {
      readonly kind: 'unsupported_entry';
      readonly path: string;
      readonly entry: 'symlink' | 'other';
    }
  /** Skipped: the name or the path breaks the path rules (too long, control characters…). */
  | { readonly kind: 'invalid_path'; readonly path: string; readonly problem: PathProblem }
  /** Skipped: two names of one folder that are one name after NFC normalisation. */
  | { readonly kind: 'unicode_twins'; readonly paths: readonly string[] }
  /** Skipped this time: reading failed (permissions, a file removed while scanned…). */
  | { readonly kind: 'unreadable'; readonly path: string; readonly code: string };
