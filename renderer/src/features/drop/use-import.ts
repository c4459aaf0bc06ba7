/**
 * Imports dropped files one after another through the engine, keeping count for the progress
 * toast. One at a time: each is a stream to disk, and order keeps the toast honest.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl } from 'sync-engine/control';
import type { DroppedFile } from './dropped-files.js';

/** What the toast shows. */
export interface ImportProgress {
  readonly target: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly finished: boolean;
  readonly error?: string;
}

/** The import in progress and how to start one. */
export interface Importer {
  readonly progress: ImportProgress | undefined;
  start(target: string, files: readonly DroppedFile[]): Promise<void>;
  dismiss(): void;
}

export function useImport(control: EngineControl): Importer {
  const [progress, setProgress] = useState<ImportProgress | undefined>(undefined);
  // A finished import's toast goes by itself; a failed one stays until dismissed.
  useEffect(() => {
    if (progress?.finished !== true || progress.error !== undefined) return undefined;
    const timer = setTimeout(() => setProgress(undefined), 6000);
    return () => clearTimeout(timer);
  }, [progress]);
  const start = async (target: string, files: readonly DroppedFile[]): Promise<void> => {
    const bytesTotal = files.reduce((sum, { file }) => sum + file.size, 0);
    let state: ImportProgress = {
      target,
      filesDone: 0,
      filesTotal: files.length,
      bytesDone: 0,
      bytesTotal,
      finished: false,
    };
    setProgress(state);
    try {
      for (const { relativePath, file } of files) {
        const base = target === '/' ? '' : target;
        await control.importFile(`${base}/${relativePath}`, file);
        state = {
          ...state,
          filesDone: state.filesDone + 1,
          bytesDone: state.bytesDone + file.size,
        };
        setProgress(state);
      }
      setProgress({ ...state, finished: true });
    } catch (failure) {
      setProgress({
        ...state,
        finished: true,
        error: failure instanceof Error ? failure.message : String(failure),
      });
    }
  };
  return { progress, start, dismiss: () => setProgress(undefined) };
}
