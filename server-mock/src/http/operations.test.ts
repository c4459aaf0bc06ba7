import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

describe('operations endpoints', () => {
  it('GET /healthz answers ok without a token', async () => {
    const res = await server.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      stores: { metadata: 'up', blocks: 'up', bus: 'up' },
    });
  });

  it('GET /metrics serves Prometheus text with request counts', async () => {
    await server.request('GET', '/healthz');
    const res = await server.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toMatch(
      /ferry_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(res.body).toContain('ferry_process_cpu_seconds_total');
  });

  it('GET /openapi.json documents the API routes with their schemas', async () => {
    const res = await server.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/auth/login']?.post).toBeDefined();
    expect(doc.paths['/keys/{namespace}']?.get).toBeDefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'GET /account',
        'POST /blocks/check',
        'PUT /blocks/{namespace}/{hash}',
        'GET /blocks/{namespace}/{hash}',
        'POST /files/commit',
        'POST /files/announce',
        'POST /files/upload',
        'PUT /files/upload/sessions/{id}',
        'GET /files/download',
        'GET /files/download_zip',
        'GET /files/blocks',
        'GET /files/list',
        'GET /files/list_revisions',
        'POST /files/restore',
        'POST /files/mkdir',
        'POST /files/delete',
        'POST /files/move',
        'GET /changes/latest_cursor',
        'GET /changes',
        'GET /notifications/longpoll',
        'GET /activity',
        'POST /shares',
        'GET /shares',
        'PATCH /shares/{id}',
        'DELETE /shares/{id}',
        'POST /auth/logout',
        'GET /devices',
        'DELETE /devices/{id}',
        'GET /healthz',
        'GET /metrics',
      ]),
    );
  });

  it('answers unknown routes with 404 not_found in the error shape', async () => {
    const res = await server.request('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
