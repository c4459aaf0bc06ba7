/**
 * The authenticated route modules, in registration order (each in its own Fastify scope so
 * that content-type parsers and body limits stay local).
 */
import type { RouteModule } from './build-app.js';

export const ROUTE_MODULES: readonly RouteModule[] = [];
