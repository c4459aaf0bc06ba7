import type { EncodedFileBlock } from '../blocks/index.js';
import type { NamespaceId } from '../protocol/index.js';
import { crashPoint } from './crash-points.js';
import type { ExecuteContext } from './execute-context.js';

/** One block's PUT, within the upload bandwidth limit, counted as sent. */
export async function sendBlock(
  context: ExecuteContext,
  namespace: NamespaceId,
  block: Pick<EncodedFileBlock, 'id' | 'encoded'>,
): Promise<void> {
  await context.throttle('up', block.encoded.length, context.signal);
  await context.remote.putBlock(
    { namespace, id: block.id, encoded: block.encoded },
    context.signal,
  );
  context.report.transferred('up', block.encoded.length);
  crashPoint('upload:between-blocks');
}
