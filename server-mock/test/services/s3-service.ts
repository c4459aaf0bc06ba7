/**
 * An S3-compatible server for tests: s3rver on a free loopback port with its data in a temp
 * dir. `stop()` and `start()` take it away and bring it back on the same port with the same
 * data (the "object store down" failure).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { freePort } from './free-port.js';

/** The credentials s3rver accepts. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Service {
  readonly endpoint: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

export async function startS3(): Promise<S3Service> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ferry-s3-'));
  const port = await freePort();
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rver({ port, address: '127.0.0.1', directory, silent: true });
    await server.run();
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (running === undefined) return;
    // Gone means gone: the clients' open (keep-alive, in-flight) connections are cut too, or
    // close() would wait for them.
    (running as unknown as { httpServer?: Server }).httpServer?.closeAllConnections();
    await running.close();
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
