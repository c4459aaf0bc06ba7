/**
 * Server configuration: explicit options win over environment variables, which win over the
 * defaults. Every option and variable is documented in docs/server.md.
 */
import path from 'node:path';
import envPaths from 'env-paths';
import { DEFAULT_QUOTA_BYTES } from 'sync-engine/protocol';
import { ServerError } from './errors.js';
import {
  parseBlocksLocation,
  parseBusLocation,
  parseMetadataLocation,
  type BlocksLocation,
  type BusLocation,
  type MetadataLocation,
} from './store-locations.js';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** What `startServer` accepts; anything left out comes from the environment or the defaults. */
export interface ServerOptions {
  /** Folder holding the database, the blocks and the master key file. */
  readonly dataDir?: string;
  /** TCP port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /**
   * The base URL clients reach this server at (`https://files.example.com`, optionally with a
   * path prefix), for URLs the server hands out (the resumable session Location). Default: the
   * listening address; with a wildcard host (0.0.0.0, ::) the request's Host header.
   */
  readonly publicUrl?: string;
  /** PEM certificate and key files; HTTPS when both are set. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** 32-byte master key, base64 or hex; when absent, `<dataDir>/master.key` (created 0600). */
  readonly masterKey?: string;
  readonly logLevel?: LogLevel;
  /** Quota of new accounts, in bytes. */
  readonly defaultQuotaBytes?: number;
  /** Deleted-entry tombstones older than this leave the journal; older cursors get 410. */
  readonly journalRetentionMs?: number;
  /** Most versions kept per file (the newest always stays). */
  readonly versionLimit?: number;
  /** How often the storage policy (thinning, GC, cold tier, expiry) runs; 0 disables the timer. */
  readonly policyIntervalMs?: number;
  /** Unreferenced blocks younger than this are kept (an upload may be about to commit them). */
  readonly gcGraceMs?: number;
  /** Blocks not read for this long move to the cold tier. */
  readonly coldAfterMs?: number;
  /** Resumable upload sessions expire this long after they start. */
  readonly uploadSessionTtlMs?: number;
  /**
   * A device the server has not seen for this long is signed out (401, "sign in again"); 0
   * never signs devices out for idleness.
   */
  readonly deviceIdleExpiryMs?: number;
  /** Login attempts allowed per email and IP address within `loginWindowMs`. */
  readonly loginMaxAttempts?: number;
  readonly loginWindowMs?: number;
  /** Worker threads encoding and verifying blocks. */
  readonly codecWorkers?: number;
  /** Answers kept by the metadata read cache (0 turns it off, e.g. with several instances). */
  readonly metadataCacheEntries?: number;
  /** Where metadata lives: `sqlite` (under dataDir, the default) or `postgres://USER@HOST:PORT/DB`. */
  readonly metadata?: string;
  /** Where blocks live: `local` (under dataDir, the default) or `s3://BUCKET?…` (store-locations.ts). */
  readonly blocks?: string;
  /** A second block store every block is also written to, read when the first fails. */
  readonly blocksReplica?: string;
  /** Wake-ups between instances: `local` (one instance, the default) or `redis://HOST:PORT`. */
  readonly bus?: string;
  /**
   * scrypt cost (N, a power of two). The default (2^15, 32 MiB) is for production; tests may
   * lower it to keep registration fast.
   */
  readonly scryptCost?: number;
}

/** The resolved configuration: every field set. */
export interface ServerConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Normalised (no trailing slash), or undefined: see ServerOptions.publicUrl. */
  readonly publicUrl: string | undefined;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly masterKey: string | undefined;
  readonly logLevel: LogLevel;
  readonly defaultQuotaBytes: number;
  readonly journalRetentionMs: number;
  readonly versionLimit: number;
  readonly policyIntervalMs: number;
  readonly gcGraceMs: number;
  readonly coldAfterMs: number;
  readonly uploadSessionTtlMs: number;
  readonly deviceIdleExpiryMs: number;
  readonly loginMaxAttempts: number;
  readonly loginWindowMs: number;
  readonly codecWorkers: number;
  readonly metadataCacheEntries: number;
  readonly metadata: MetadataLocation;
  readonly blocks: BlocksLocation;
  readonly blocksReplica: BlocksLocation | undefined;
  readonly bus: BusLocation;
  readonly scryptCost: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Every log level, for validation and the CLI's choices. */
export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

/** The default data folder: `<user data dir>/ferry-server` (e.g. ~/.local/share/ferry-server). */
export function defaultDataDir(): string {
  return path.join(envPaths('ferry-server', { suffix: '' }).data);
}

type Env = Readonly<Record<string, string | undefined>>;

function readNumber(env: Env, name: string, scale = 1): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ServerError('invalid_request', `${name} must be a non-negative number`);
  }
  return value * scale;
}

/** A count (workers, versions, attempts, bytes): a whole non-negative number. */
function readInteger(env: Env, name: string): number | undefined {
  const value = readNumber(env, name);
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new ServerError('invalid_request', `${name} must be a whole number`);
  }
  return value;
}

function readLogLevel(raw: string | undefined): LogLevel | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ServerError(
      'invalid_request',
      `the log level (FERRY_LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return raw as LogLevel;
}

/** Checks a public base URL (http or https, no query or fragment) and drops a trailing slash. */
function readPublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ServerError('invalid_request', 'the public URL is not a valid URL', { cause: error });
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
    throw new ServerError(
      'invalid_request',
      'the public URL must be http(s) without a query or fragment',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** Resolves options over environment variables (FERRY_*) over defaults. */
export function resolveServerConfig(
  options: ServerOptions = {},
  env: Env = process.env,
): ServerConfig {
  const certFile = options.tlsCertFile ?? env.FERRY_TLS_CERT;
  const keyFile = options.tlsKeyFile ?? env.FERRY_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ServerError('invalid_request', 'HTTPS needs both a certificate and a key file');
  }
  const port = options.port ?? readInteger(env, 'FERRY_PORT') ?? 8787;
  const replica = options.blocksReplica ?? (env.FERRY_BLOCKS_REPLICA || undefined);
  if (!Number.isInteger(port) || port > 65535) {
    throw new ServerError('invalid_request', 'port must be an integer from 0 to 65535');
  }
  return {
    dataDir: path.resolve(options.dataDir ?? env.FERRY_DATA_DIR ?? defaultDataDir()),
    port,
    host: options.host ?? env.FERRY_HOST ?? '127.0.0.1',
    publicUrl: readPublicUrl(options.publicUrl ?? env.FERRY_PUBLIC_URL),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    masterKey: options.masterKey ?? (env.FERRY_MASTER_KEY || undefined),
    logLevel: readLogLevel(options.logLevel ?? env.FERRY_LOG_LEVEL) ?? 'info',
    defaultQuotaBytes:
      options.defaultQuotaBytes ?? readInteger(env, 'FERRY_QUOTA_BYTES') ?? DEFAULT_QUOTA_BYTES,
    journalRetentionMs:
      options.journalRetentionMs ??
      readNumber(env, 'FERRY_JOURNAL_RETENTION_DAYS', DAY_MS) ??
      30 * DAY_MS,
    versionLimit: options.versionLimit ?? readInteger(env, 'FERRY_VERSION_LIMIT') ?? 100,
    policyIntervalMs:
      options.policyIntervalMs ?? readNumber(env, 'FERRY_POLICY_INTERVAL_S', 1000) ?? HOUR_MS,
    gcGraceMs: options.gcGraceMs ?? readNumber(env, 'FERRY_GC_GRACE_HOURS', HOUR_MS) ?? DAY_MS,
    coldAfterMs:
      options.coldAfterMs ?? readNumber(env, 'FERRY_COLD_AFTER_DAYS', DAY_MS) ?? 30 * DAY_MS,
    uploadSessionTtlMs:
      options.uploadSessionTtlMs ??
      readNumber(env, 'FERRY_UPLOAD_SESSION_TTL_HOURS', HOUR_MS) ??
      DAY_MS,
    deviceIdleExpiryMs:
      options.deviceIdleExpiryMs ??
      readNumber(env, 'FERRY_DEVICE_IDLE_DAYS', DAY_MS) ??
      90 * DAY_MS,
    loginMaxAttempts:
      options.loginMaxAttempts ?? readInteger(env, 'FERRY_LOGIN_MAX_ATTEMPTS') ?? 10,
    loginWindowMs: options.loginWindowMs ?? 15 * 60 * 1000,
    codecWorkers: options.codecWorkers ?? readInteger(env, 'FERRY_CODEC_WORKERS') ?? 2,
    metadataCacheEntries:
      options.metadataCacheEntries ?? readInteger(env, 'FERRY_METADATA_CACHE_ENTRIES') ?? 10_000,
    metadata: parseMetadataLocation(
      options.metadata ?? (env.FERRY_METADATA || 'sqlite'),
      'metadata (FERRY_METADATA)',
    ),
    blocks: parseBlocksLocation(
      options.blocks ?? (env.FERRY_BLOCKS || 'local'),
      'blocks (FERRY_BLOCKS)',
    ),
    blocksReplica:
      replica === undefined
        ? undefined
        : parseBlocksLocation(replica, 'the blocks replica (FERRY_BLOCKS_REPLICA)'),
    bus: parseBusLocation(options.bus ?? (env.FERRY_BUS || 'local'), 'bus (FERRY_BUS)'),
    scryptCost: options.scryptCost ?? 2 ** 15,
  };
}
