/**
 * One entry of a batch answer that failed: the status and the error body the single route
 * would have answered (`{status, error: {code, message, …extra fields}}`), and its schema.
 * Only ServerErrors become entries; anything unexpected fails the whole request (500).
 */
import { errorSchema, httpStatusOf, type BatchEntryError } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import { wireErrorOf } from './error-handler.js';

/** A failed entry. */
export interface FailedEntry {
  readonly status: number;
  readonly error: BatchEntryError;
}

/** Schema of the `error` of a failed entry: the error object of every error body. */
export const batchEntryErrorSchema = errorSchema.properties.error;

/** The failed entry for `error`; rethrows what is not a ServerError. */
export function failedEntryOf(error: unknown): FailedEntry {
  if (!(error instanceof ServerError)) throw error;
  return { status: httpStatusOf(error.code), error: wireErrorOf(error) };
}

/** Runs `task`; its ServerError becomes a failed entry. */
export async function entryOf<T>(task: () => Promise<T>): Promise<T | FailedEntry> {
  try {
    return await task();
  } catch (error) {
    return failedEntryOf(error);
  }
}
