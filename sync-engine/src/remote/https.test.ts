import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createRemoteClient } from './remote-client.js';

const signal = () => AbortSignal.timeout(30_000);

describe('the client over HTTPS to the real server', () => {
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  let server: RemoteTestServer;
  let certificate: string;
  beforeAll(async () => {
    dir = await createTestTempDir('remote-tls');
    const certFile = path.join(dir.path, 'cert.pem');
    const keyFile = path.join(dir.path, 'key.pem');
    // A self-signed P-256 certificate for 127.0.0.1 (EC: generated in milliseconds).
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    certificate = await readFile(certFile, 'utf8');
    server = await startRemoteTestServer({ tlsCertFile: certFile, tlsKeyFile: keyFile });
  });
  afterAll(async () => {
    await server?.close();
    await dir?.remove();
  });

  it('works when the certificate is trusted, and gives tls_error when it is not', async () => {
    expect(server.url.startsWith('https://')).toBe(true);
    const trusting = createRemoteClient({ baseUrl: server.url, certificateAuthority: certificate });
    const untrusting = createRemoteClient({ baseUrl: server.url });
    try {
      const email = 'tls@test.example';
      await trusting.register({ email, password: 'password-tls', name: 'TLS' }, signal());
      const login = await trusting.login(
        { email, password: 'password-tls', deviceName: 'laptop' },
        signal(),
      );
      const device = createRemoteClient({
        baseUrl: server.url,
        token: login.token,
        certificateAuthority: certificate,
      });
      try {
        expect((await device.getAccount(signal())).email).toBe(email);
      } finally {
        device.close();
      }
      const refused = await untrusting
        .login({ email, password: 'password-tls', deviceName: 'x' }, signal())
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'tls_error', status: undefined });
    } finally {
      trusting.close();
      untrusting.close();
    }
  });
});
