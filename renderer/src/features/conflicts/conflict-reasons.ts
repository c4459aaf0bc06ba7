/** A conflict's reason code as a person would say it. */

const REASONS: Readonly<Record<string, string>> = {
  edit_edit: 'Edited here and on another device',
  edit_delete: 'Edited on one side, deleted on the other',
  rename_rename: 'Renamed differently on two devices',
};

/** The sentence for `reason`; an unknown code reads generically rather than as a code. */
export function describeConflictReason(reason: string): string {
  return REASONS[reason] ?? 'Changed in two places at once';
}
