import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFingerprinter, fingerprintFile } from './fingerprint.js';
import { seededBytes, createTestTempDir } from '../testkit/index.js';

describe('xxHash64 fingerprints', () => {
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  beforeAll(async () => {
    dir = await createTestTempDir('fingerprint');
  });
  afterAll(() => dir.remove());

  it('matches the reference xxHash64 values', async () => {
    // Reference values of XXH64 with seed 0 (xxHash's own test vectors).
    expect((await createFingerprinter()).digest()).toBe('ef46db3751d8e999');
    expect((await createFingerprinter()).update(Buffer.from('abc')).digest()).toBe(
      '44bc2cf5ad770999',
    );
  });

  it('gives the same digest however the input is split', async () => {
    const data = seededBytes('text', 1, 3_000_001);
    const whole = (await createFingerprinter()).update(data).digest();
    const pieces = await createFingerprinter();
    for (let at = 0; at < data.length; at += 77_777) pieces.update(data.subarray(at, at + 77_777));
    expect(pieces.digest()).toBe(whole);
    expect(whole).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fingerprints a file by content and notices a one-byte change', async () => {
    const data = seededBytes('random', 2, 5_000_000);
    const path = join(dir.path, 'file.bin');
    await writeFile(path, data);
    const before = await fingerprintFile(path);
    expect(before).toBe((await createFingerprinter()).update(data).digest());
    data[4_000_000]! ^= 1;
    await writeFile(path, data);
    expect(await fingerprintFile(path)).not.toBe(before);
  });

  it('rejects a missing file with the file system error', async () => {
    await expect(fingerprintFile(join(dir.path, 'missing'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
