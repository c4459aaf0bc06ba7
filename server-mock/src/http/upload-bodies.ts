/**
 * What the upload routes share: the query of POST /files/upload, and the body handling of every
 * route that receives file bytes (simple uploads and resumable pieces).
 */
import type { FastifyInstance } from 'fastify';

/** The query of POST /files/upload (simple and resumable). */
export interface UploadQuery {
  uploadType: 'media' | 'resumable';
  path: string;
  parentRev?: string;
  modified?: number;
}

/**
 * Makes the routes of `scope` receive their bodies as a stream, whatever their type: nothing
 * parses or buffers file bytes (each route module has its own Fastify scope, so this stays local).
 */
export function acceptStreamedBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}
