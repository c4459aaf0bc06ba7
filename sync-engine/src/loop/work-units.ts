/**
 * Groups a round's operations into units of work: small uploads together, small downloads
 * together, local deletes of files together (each batch one unit: few requests, one state
 * transaction), everything else one by one. Batches keep the plan's order within them and are bounded in files and bytes.
 */
import { BATCH_FILE_MAX_BYTES, BATCH_MAX_BYTES, BATCH_MAX_FILES } from '../execute/upload-batch.js';
import type { Operation } from '../plan/index.js';
import type { ItemTables } from '../state/index.js';

type Of<K extends Operation['kind']> = Extract<Operation, { kind: K }>;

export type WorkUnit =
  | { readonly kind: 'single'; readonly operations: readonly [Operation] }
  | { readonly kind: 'uploads'; readonly operations: readonly Of<'upload'>[] }
  | { readonly kind: 'downloads'; readonly operations: readonly Of<'download'>[] }
  | { readonly kind: 'local_deletes'; readonly operations: readonly Of<'delete_local'>[] };

/** At least this many units when there are enough files, so the workers share them. */
const MIN_UNITS = 8;

export function workUnitsOf(
  operations: readonly Operation[],
  items: Pick<ItemTables, 'local' | 'remote'>,
): WorkUnit[] {
  const units: WorkUnit[] = [];
  const uploads: Array<{ operation: Of<'upload'>; size: number }> = [];
  const downloads: Array<{ operation: Of<'download'>; size: number }> = [];
  const deletes: Array<{ operation: Of<'delete_local'>; size: number }> = [];
  for (const operation of operations) {
    if (operation.kind === 'upload') {
      const size = items.local.get(operation.itemId)?.sizeBytes;
      if (size !== undefined && size <= BATCH_FILE_MAX_BYTES) {
        uploads.push({ operation, size });
        continue;
      }
    }
    if (operation.kind === 'download') {
      const size = items.remote.get(operation.itemId)?.sizeBytes;
      if (size !== undefined && size <= BATCH_FILE_MAX_BYTES) {
        downloads.push({ operation, size });
        continue;
      }
    }
    if (operation.kind === 'delete_local' && items.local.get(operation.itemId)?.kind === 'file') {
      deletes.push({ operation, size: 0 });
      continue;
    }
    units.push({ kind: 'single', operations: [operation] });
  }
  const batches = <K extends 'upload' | 'download' | 'delete_local'>(
    entries: ReadonlyArray<{ operation: Of<K>; size: number }>,
  ): Array<Array<Of<K>>> => {
    // Spread over the workers: a few hundred files are several batches, not one.
    const maxFiles = Math.max(1, Math.min(BATCH_MAX_FILES, Math.ceil(entries.length / MIN_UNITS)));
    const result: Array<Array<Of<K>>> = [];
    let batch: Array<Of<K>> = [];
    let bytes = 0;
    for (const { operation, size } of entries) {
      if (batch.length > 0 && (batch.length >= maxFiles || bytes + size > BATCH_MAX_BYTES)) {
        result.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(operation);
      bytes += size;
    }
    if (batch.length > 0) result.push(batch);
    return result;
  };
  for (const batch of batches(uploads)) units.push({ kind: 'uploads', operations: batch });
  for (const batch of batches(downloads)) units.push({ kind: 'downloads', operations: batch });
  for (const batch of batches(deletes)) units.push({ kind: 'local_deletes', operations: batch });
  return units;
}
