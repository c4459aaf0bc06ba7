import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveServerConfig } from './config.js';
import { ServerError } from './errors.js';

describe('resolveServerConfig', () => {
  it('uses the defaults with no options and no environment', () => {
    const config = resolveServerConfig({}, {});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      tls: undefined,
      logLevel: 'info',
      defaultQuotaBytes: 10 * 1024 ** 3,
      versionLimit: 100,
      dataDir: defaultDataDir(),
    });
  });

  it('reads FERRY_* variables, with units, and lets options win over them', () => {
    const env = {
      FERRY_DATA_DIR: '/tmp/ferry-env',
      FERRY_PORT: '9000',
      FERRY_HOST: '::1',
      FERRY_TLS_CERT: 'c.pem',
      FERRY_TLS_KEY: 'k.pem',
      FERRY_JOURNAL_RETENTION_DAYS: '2',
      FERRY_POLICY_INTERVAL_S: '60',
      FERRY_LOG_LEVEL: 'warn',
      FERRY_PUBLIC_URL: 'https://files.example.com/',
    };
    const config = resolveServerConfig({ port: 1234 }, env);
    expect(config).toMatchObject({
      dataDir: path.resolve('/tmp/ferry-env'),
      port: 1234,
      host: '::1',
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
      journalRetentionMs: 2 * 24 * 3600 * 1000,
      policyIntervalMs: 60_000,
      logLevel: 'warn',
      publicUrl: 'https://files.example.com',
    });
    expect(resolveServerConfig({ publicUrl: 'http://10.0.0.2:80/ferry/' }, env).publicUrl).toBe(
      'http://10.0.0.2/ferry',
    );
    expect(resolveServerConfig({}, {}).publicUrl).toBeUndefined();
  });

  it('signs idle devices out after 90 days by default, FERRY_DEVICE_IDLE_DAYS otherwise', () => {
    const dayMs = 24 * 3600 * 1000;
    expect(resolveServerConfig({}, {}).deviceIdleExpiryMs).toBe(90 * dayMs);
    const env = { FERRY_DEVICE_IDLE_DAYS: '7' };
    expect(resolveServerConfig({}, env).deviceIdleExpiryMs).toBe(7 * dayMs);
    expect(resolveServerConfig({}, { FERRY_DEVICE_IDLE_DAYS: '0' }).deviceIdleExpiryMs).toBe(0);
    expect(resolveServerConfig({ deviceIdleExpiryMs: 5 }, env).deviceIdleExpiryMs).toBe(5);
    expect(() => resolveServerConfig({}, { FERRY_DEVICE_IDLE_DAYS: '-1' })).toThrow(ServerError);
  });

  it.each([
    ['a certificate without a key', {}, { FERRY_TLS_CERT: 'c.pem' }],
    ['a port out of range', { port: 70000 }, {}],
    ['a non-numeric variable', {}, { FERRY_PORT: 'eighty' }],
    ['an unknown log level', {}, { FERRY_LOG_LEVEL: 'loud' }],
    ['an unknown log level option', { logLevel: 'loud' as never }, {}],
    ['a fractional worker count', {}, { FERRY_CODEC_WORKERS: '1.5' }],
    ['a fractional version limit', {}, { FERRY_VERSION_LIMIT: '2.5' }],
    ['a public URL that is no URL', {}, { FERRY_PUBLIC_URL: 'files.example.com' }],
    ['a public URL of another scheme', { publicUrl: 'ftp://files.example.com' }, {}],
    ['a public URL with a query', { publicUrl: 'https://files.example.com/?a=1' }, {}],
  ])('refuses %s', (_name, options, env) => {
    expect(() => resolveServerConfig(options, env)).toThrow(ServerError);
  });
});
