/**
 * A throwaway TLS certificate for tests: a self-signed P-256 certificate for 127.0.0.1
 * (subjectAltName IP:127.0.0.1, so hostname verification passes) generated with the `openssl`
 * CLI into a fresh temp dir. The certificate is its own CA: a client trusts it by passing the
 * PEM as `ca`, never by turning verification off.
 *
 * @example
 * const cert = await createTlsCertificate();
 * const server = await startServer({ tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile, … });
 * https.request(url, { ca: cert.certPem }, ...);
 * await cert.remove();
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A generated certificate and key (files and PEM text). */
export interface TlsCertificate {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate in PEM: pass it as `ca` to trust the server. */
  readonly certPem: string;
  /** Deletes the temp dir holding the files. */
  remove(): Promise<void>;
}

/**
 * Generates a self-signed certificate valid for one day for `commonName` (default 127.0.0.1).
 * Throws when `openssl` is missing or fails (its stderr is in the message).
 */
export async function createTlsCertificate(
  options: { commonName?: string; ip?: string } = {},
): Promise<TlsCertificate> {
  const commonName = options.commonName ?? '127.0.0.1';
  const ip = options.ip ?? '127.0.0.1';
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    // EC keys generate in milliseconds (RSA would take a noticeable share of the suite's time).
    await run('openssl', [
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
      `/CN=${commonName}`,
      '-addext',
      `subjectAltName=IP:${ip}`,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl could not generate a test certificate: ${stderr.trim()}`, {
      cause: error,
    });
  }
  return {
    dir,
    certFile,
    keyFile,
    certPem: await readFile(certFile, 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
