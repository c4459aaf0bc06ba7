/** One executor per operation kind, chosen by an exhaustive switch. */
import type { Operation } from '../plan/index.js';
import type { ItemId } from '../state/index.js';
import { downloadFile } from './download-file.js';
import type { ExecuteContext, ExecuteOutcome } from './execute-context.js';
import { setAside } from './set-aside.js';
import {
  deleteLocal,
  deleteRemote,
  forget,
  mkdirLocal,
  mkdirRemote,
  moveLocal,
  moveRemote,
  recordAgreement,
} from './tree-operations.js';
import { uploadFile } from './upload-file.js';

export async function executeOperation(
  context: ExecuteContext,
  operation: Operation,
): Promise<ExecuteOutcome> {
  switch (operation.kind) {
    case 'upload':
      return uploadFile(context, operation);
    case 'download':
      return downloadFile(context, operation);
    case 'mkdir_local':
      return mkdirLocal(context, operation);
    case 'mkdir_remote':
      return mkdirRemote(context, operation);
    case 'delete_local':
      return deleteLocal(context, operation);
    case 'delete_remote':
      return deleteRemote(context, operation);
    case 'move_local':
      return moveLocal(context, operation);
    case 'move_remote':
      return moveRemote(context, operation);
    case 'conflict':
      return setAside(context, {
        itemId: operation.itemId as ItemId,
        path: operation.path,
        cause: operation.cause,
      });
    case 'record':
      return recordAgreement(context, operation);
    case 'forget':
      return forget(context, operation);
  }
}
