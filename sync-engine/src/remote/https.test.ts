import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTlsCertificate, type TlsCertificate } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createRemoteClient } from './remote-client.js';

const signal = () => AbortSignal.timeout(30_000);

describe('the client over HTTPS to the real server', () => {
  let tls: TlsCertificate;
  let server: RemoteTestServer;
  let certificate: string;
  beforeAll(async () => {
    tls = await createTlsCertificate();
    certificate = tls.certPem;
    server = await startRemoteTestServer({ tlsCertFile: tls.certFile, tlsKeyFile: tls.keyFile });
  });
  afterAll(async () => {
    await server?.close();
    await tls?.remove();
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
