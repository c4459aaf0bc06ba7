/**
 * Gives every request its AbortSignal (request-signal.ts): aborted when the response closes
 * before it was sent in full, which is the client going away (or the connection cut). The
 * signal is entered at onRequest and again at preHandler, since reading a body resumes on
 * stream events outside the context the first hook entered; the handler runs inside it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runForRequest } from '../request-signal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborted when the client goes away before the answer (installRequestSignals). */
    abandoned?: AbortSignal;
  }
}

export function installRequestSignals(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    request.abandoned = controller.signal;
    runForRequest(controller.signal, done);
  });
  app.addHook('preHandler', (request: FastifyRequest, _reply, done) => {
    if (request.abandoned === undefined) return done();
    runForRequest(request.abandoned, done);
  });
}
