import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory for one test file, removed by `remove()` (call it in afterAll). */
export async function createTestTempDir(
  prefix: string,
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `ferry-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
