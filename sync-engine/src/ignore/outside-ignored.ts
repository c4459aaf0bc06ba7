/**
 * The server's and the merge base's rows the planner may act on: none at an ignored path. The
 * scan never lists ignored files, so without this a synced file that becomes ignored (a new
 * `.ferryignore` rule, a pattern added in the settings) would look deleted here, and be deleted
 * on the server and every other device; and a file the server has at an ignored path would be
 * downloaded. Ignoring is "leave alone", both ways, as in Syncthing. The rows themselves stay in
 * the state, so un-ignoring a path takes its file up again where it was (unchanged, edited or
 * in conflict, as if it had never been left out).
 */
import type { IgnoreRules } from './ignore-rules.js';

export interface PathRow {
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

/** `rows` without those whose path (or an ancestor of it) is ignored. */
export function outsideIgnored<T extends PathRow>(rows: readonly T[], rules: IgnoreRules): T[] {
  return rows.filter((row) => !rules.isIgnored(row.path, row.kind === 'folder'));
}
