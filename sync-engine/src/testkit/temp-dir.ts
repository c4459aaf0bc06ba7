/**
 * Temporary directories for tests: one per test (`useTempDir`, with vitest hooks) or one for a
 * whole file (`createTestTempDir`, removed by the caller). Both live under the OS temp dir and
 * are named `ferry-<prefix>-…`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** A temporary directory for one test file, removed by `remove()` (call it in afterAll). */
export async function createTestTempDir(
  prefix: string,
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `ferry-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A fresh temporary directory per test, removed afterwards. Call at the top of a describe
 * block; the returned function gives the current test's directory.
 */
export function useTempDir(prefix: string): () => string {
  let dir: { path: string; remove(): Promise<void> } | undefined;
  beforeEach(async () => {
    dir = await createTestTempDir(prefix);
  });
  afterEach(async () => {
    await dir?.remove();
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('useTempDir: no test is running');
    return dir.path;
  };
}
