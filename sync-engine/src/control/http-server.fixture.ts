/**
 * Test harness of the control server's tests: an EngineControl that records its calls (its
 * long-poll is a real EventLog), a server started over it on loopback, and a raw HTTP client
 * that can send what a browser or an attacker would (any Host, any header, any body).
 */
import http from 'node:http';
import type { ActivityResponse } from '../protocol/index.js';
import type {
  ConflictInfo,
  EngineControl,
  EngineSettings,
  EngineStatus,
  FileRevision,
  FolderEntry,
  ShareInfo,
} from './contract.js';
import { EventLog } from './event-log.js';
import { startControlServer, type ControlServer } from './http-server.js';

export const TOKEN = 'test-token-0123456789abcdef';

export const STATUS: EngineStatus = {
  state: 'idle',
  folder: '/home/ann/Ferry',
  serverUrl: 'http://127.0.0.1:9',
  email: 'ann@example.com',
  deviceName: 'laptop',
  paused: false,
  account: { usedBytes: 1234, quotaBytes: 10_000 },
  progress: {
    filesPending: 0,
    bytesPending: 0,
    filesDone: 3,
    bytesUp: 300,
    bytesDown: 0,
    upBytesPerSecond: 0,
    downBytesPerSecond: 0,
  },
  problems: [{ code: 'not_portable', message: 'name not portable', path: '/a:b', sinceMs: 5 }],
  heldDeletes: null,
  lastSyncedMs: 1_700_000_000_000,
};
export const CONFLICT: ConflictInfo = {
  id: 7,
  path: '/docs/café.txt',
  copyPath: '/docs/café (conflicted copy from laptop 2024-01-02 030405).txt',
  reason: 'edit_edit',
  detectedMs: 1_700_000_000_000,
};
export const FOLDER_ENTRY: FolderEntry = {
  path: '/docs/café.txt',
  name: 'café.txt',
  type: 'file',
  sizeBytes: 12,
  modifiedMs: 1_700_000_000_000,
  sharedRole: null,
};
export const REVISION: FileRevision = {
  rev: 'r3',
  sizeBytes: 12,
  modifiedMs: 1_700_000_000_000,
  committedMs: 1_700_000_000_100,
  author: 'Ann',
  deviceName: 'laptop',
  ofDeletedFile: false,
};
export const SHARE: ShareInfo = {
  id: 's1',
  role: 'editor',
  ownerEmail: 'ann@example.com',
  recipientEmail: 'bo@example.com',
  path: '/docs',
  createdMs: 1_700_000_000_000,
};
export const SETTINGS: EngineSettings = {
  limitUpBytesPerSecond: null,
  limitDownBytesPerSecond: 500_000,
  ignorePatterns: '*.log\n',
  excludedFolders: [],
};
export const ACTIVITY = { events: [], cursor: '12', hasMore: false } as unknown as ActivityResponse;

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** An EngineControl that records every call; `failWith` makes every method throw it. */
export function createRecordingControl() {
  const calls: Call[] = [];
  const signals: AbortSignal[] = [];
  const log = new EventLog();
  const state: { failWith: unknown } = { failWith: undefined };
  const answer = async <T>(method: string, args: unknown[], value: T): Promise<T> => {
    calls.push({ method, args });
    if (state.failWith !== undefined) throw state.failWith;
    return value;
  };
  const control: EngineControl = {
    getStatus: () => answer('getStatus', [], STATUS),
    listConflicts: () => answer('listConflicts', [], [CONFLICT]),
    resolveConflict: (path, keep) => answer('resolveConflict', [path, keep], CONFLICT),
    describeConflict: (path) =>
      answer('describeConflict', [path], { conflict: CONFLICT, theirs: null, mine: null }),
    pause: () => answer('pause', [], { ...STATUS, state: 'paused', paused: true }),
    resume: () => answer('resume', [], STATUS),
    allowMassDelete: () => answer('allowMassDelete', [], STATUS),
    listActivity: (request) => answer('listActivity', [request], ACTIVITY),
    waitForEvents: async (after, timeoutMs, signal) => {
      if (signal) signals.push(signal);
      await answer('waitForEvents', [after, timeoutMs], undefined);
      return log.waitForEvents(after, timeoutMs, signal);
    },
    listFolder: (path) => answer('listFolder', [path], [FOLDER_ENTRY]),
    listRevisions: (path) => answer('listRevisions', [path], [REVISION]),
    restoreRevision: (path, rev) => answer('restoreRevision', [path, rev], { rev: 'r9' }),
    listShares: () => answer('listShares', [], { owned: [SHARE], received: [] }),
    shareFolder: (path, email, role) =>
      answer('shareFolder', [path, email, role], { ...SHARE, path, recipientEmail: email, role }),
    changeShareRole: (shareId, role) =>
      answer('changeShareRole', [shareId, role], { ...SHARE, id: shareId, role }),
    revokeShare: (shareId) => answer('revokeShare', [shareId], { id: shareId }),
    getSettings: () => answer('getSettings', [], SETTINGS),
    completeFirstRun: (request) => answer('completeFirstRun', [request], STATUS),
    updateSettings: (change) =>
      answer('updateSettings', [change], { ...SETTINGS, ...change } as EngineSettings),
    createZipDownload: (path) =>
      answer('createZipDownload', [path], { url: `/api/downloads/${'t'.repeat(43)}` }),
    importFile: async (path, content) => {
      let sizeBytes = 0;
      for await (const chunk of content as AsyncIterable<Uint8Array>) sizeBytes += chunk.length;
      return answer('importFile', [path, sizeBytes], { path, sizeBytes });
    },
  };
  return { control, calls, signals, log, state };
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export interface SendOptions {
  readonly method?: string;
  readonly path: string;
  /** Raw request body; JSON Content-Type unless `headers` says otherwise. */
  readonly body?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  /** The bearer token; null sends no Authorization header. */
  readonly token?: string | null;
  /** False: no Host header at all. */
  readonly setHost?: boolean;
}

/** One request over a fresh connection: the status and the body (parsed when it is JSON). */
export function send(
  server: ControlServer,
  options: SendOptions,
  signal?: AbortSignal,
): Promise<Answer> {
  const { port } = new URL(server.url);
  const token = options.token === undefined ? server.token : options.token;
  const headers: http.OutgoingHttpHeaders = {
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: Number(port),
        method: options.method ?? 'GET',
        path: options.path,
        headers,
        agent: false,
        setHost: options.setHost ?? true,
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body:
              text === ''
                ? undefined
                : response.headers['content-type']?.startsWith('application/json')
                  ? JSON.parse(text)
                  : text,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const running: ControlServer[] = [];

/** Closes `server` in {@link closeStartedServers}. */
export function trackServer(server: ControlServer): ControlServer {
  running.push(server);
  return server;
}

/** Closes every server started or tracked so far: call it in `afterEach`. */
export async function closeStartedServers(): Promise<void> {
  await Promise.all(running.splice(0).map((server) => server.close()));
}

/** A server on a free port with the token TOKEN over a new recording control. */
export async function startRecordingServer(
  extra: { onUnexpectedError?: (error: unknown) => void; uiDir?: string } = {},
) {
  const recording = createRecordingControl();
  const server = await startControlServer({
    control: recording.control,
    port: 0,
    token: TOKEN,
    ...extra,
  });
  return { server: trackServer(server), ...recording };
}

/** The error of an error answer. */
export const errorOf = (answer: Answer) =>
  (answer.body as { error: { code: string; message: string } }).error;
