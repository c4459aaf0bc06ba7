/**
 * The authenticated route modules, in registration order (each in its own Fastify scope so
 * that content-type parsers and body limits stay local).
 */
import { registerAnnouncedBlockRoutes } from './announced-blocks.js';
import { registerBlockBatchRoutes } from './block-batch-routes.js';
import { registerBlockRoutes } from './block-routes.js';
import type { RouteModule } from './build-app.js';
import { registerChangeRoutes } from './change-routes.js';
import { registerDeviceRoutes } from './device-routes.js';
import { registerFileBatchRoutes } from './file-batch-routes.js';
import { registerFileBlockRoutes } from './file-block-routes.js';
import { registerFileRoutes } from './file-routes.js';
import { registerResumableRoutes } from './resumable-routes.js';
import { registerShareRoutes } from './share-routes.js';
import { registerTransferRoutes } from './transfer-routes.js';
import { registerTreeRoutes } from './tree-routes.js';
import { registerZipRoutes } from './zip-routes.js';

export const ROUTE_MODULES: readonly RouteModule[] = [
  registerBlockRoutes,
  registerFileRoutes,
  registerTreeRoutes,
  registerTransferRoutes,
  registerFileBlockRoutes,
  registerAnnouncedBlockRoutes,
  registerResumableRoutes,
  registerChangeRoutes,
  registerShareRoutes,
  registerDeviceRoutes,
  registerBlockBatchRoutes,
  registerFileBatchRoutes,
  registerZipRoutes,
];
