/**
 * The real server for engine tests, through its entry (`startServer`): loopback, port 0, a temp
 * data dir, silent logs, cheap scrypt, one codec worker, no policy timer. Users are registered
 * and signed in with the engine's own RemoteClient. Not exported from the testkit entry, so that
 * the server's tests (which use the testkit) never load the server twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from 'server-mock';
import type { LoginResponse } from '../protocol/index.js';
import {
  createRemoteClient,
  type RemoteClient,
  type RemoteClientOptions,
} from '../remote/index.js';

/** A signed-in device of a test user; its client is closed with the server. */
export interface TestDevice {
  readonly email: string;
  readonly password: string;
  readonly login: LoginResponse;
  readonly client: RemoteClient;
}

export interface RemoteTestServer {
  readonly url: string;
  readonly server: RunningServer;
  /** A client of this server (closed with it); `token` signs it in. */
  client(options?: Omit<RemoteClientOptions, 'baseUrl'>): RemoteClient;
  /** Registers `name@test.example` (password `password-<name>`) and signs in one device. */
  createUser(name: string, deviceName?: string): Promise<TestDevice>;
  /** Signs in another device of a user made by createUser. */
  addDevice(user: TestDevice, deviceName: string): Promise<TestDevice>;
  /** Closes every client, stops the server, removes its data dir. */
  close(): Promise<void>;
}

export interface RemoteTestServerOptions extends ServerOptions {
  /** The server's clock (epoch ms), to jump past retention. */
  readonly now?: () => number;
}

/** Starts the server; always `await close()` in afterEach/afterAll. */
export async function startRemoteTestServer(
  options: RemoteTestServerOptions = {},
): Promise<RemoteTestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-remote-test-'));
  const { now, ...serverOptions } = options;
  let server: RunningServer;
  try {
    server = await startServer(
      {
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        scryptCost: 2 ** 10,
        codecWorkers: 1,
        policyIntervalMs: 0,
        ...serverOptions,
        dataDir,
      },
      now ? { now } : {},
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const clients: RemoteClient[] = [];
  const client: RemoteTestServer['client'] = (clientOptions = {}) => {
    const made = createRemoteClient({ ...clientOptions, baseUrl: server.url });
    clients.push(made);
    return made;
  };
  const signIn = async (email: string, password: string, deviceName: string) => {
    const login = await client().login(
      { email, password, deviceName },
      AbortSignal.timeout(30_000),
    );
    return { email, password, login, client: client({ token: login.token }) };
  };
  return {
    url: server.url,
    server,
    client,
    async createUser(name, deviceName = `${name}-laptop`) {
      const email = `${name}@test.example`;
      const password = `password-${name}`;
      await client().register({ email, password, name }, AbortSignal.timeout(30_000));
      return signIn(email, password, deviceName);
    },
    addDevice: (user, deviceName) => signIn(user.email, user.password, deviceName),
    async close() {
      for (const made of clients) made.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
