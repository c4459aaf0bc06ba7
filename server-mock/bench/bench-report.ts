/**
 * What the server benchmarks share: printing a result (one JSON object a line with `--json`,
 * else `name  key=value …`), and the one small block that their long-poll phases commit again
 * and again to wake the polls.
 */
import { seededBytes } from 'sync-engine/testkit';
import type { NamespaceId } from 'sync-engine/protocol';
import { encodeContent, type TestBlock } from '../test/test-blocks.js';
import type { BenchHttp } from './bench-http.js';

/** Prints `result` as a JSON line (`json`) or as a padded text line. */
export function printResult<T extends { readonly name: string }>(
  result: T,
  json: boolean,
  nameWidth = 18,
): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const fields = Object.entries(result)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(`${result.name.padEnd(nameWidth)} ${fields.join('  ')}\n`);
}

/** Stores one 1 KB block in `namespace`: every wake-up commit names it (no upload each time). */
export async function storeWakeBlock(
  http: BenchHttp,
  namespace: NamespaceId,
  key: Uint8Array,
): Promise<TestBlock> {
  const [block] = await encodeContent(seededBytes('random', 99, 1_000), key);
  const put = await http.request(
    'PUT',
    `/blocks/${namespace}/${block!.id}`,
    Buffer.from(block!.encoded),
    {
      'content-type': 'application/octet-stream',
    },
  );
  if (put.status !== 200) throw new Error(`PUT block: ${put.status}`);
  return block!;
}

/** A commit of the wake-up block under a new path at each call: what wakes the polls. */
export function wakeCommitter(http: BenchHttp, block: TestBlock): () => Promise<void> {
  let commits = 0;
  return async () => {
    await http.json('POST', '/files/commit', {
      path: `/bench/wake-${commits++}.bin`,
      blocks: [block.id],
      size: block.size,
      modified: 1_700_000_000_000,
      parentRev: null,
    });
  };
}
