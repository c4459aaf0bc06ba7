/**
 * Where the server keeps blocks and sends wake-ups, as written in the configuration:
 * `local` (the embedded defaults: a directory, an in-process bus), `s3://BUCKET?endpoint=URL&
 * region=R&prefix=P&coldStorageClass=C` and `redis://[user:password@]HOST:PORT[/DB]`. Parsed
 * here, with a message naming the setting for anything off; credentials never come from these
 * URLs but from the AWS SDK's environment variables (S3) or the URL in the environment (Redis).
 */
import type { StorageClass } from '@aws-sdk/client-s3';
import { ServerError } from './errors.js';

export type BlocksLocation =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly endpoint?: string;
      readonly region?: string;
      readonly prefix?: string;
      readonly coldStorageClass?: StorageClass;
    };

export type MetadataLocation =
  { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: string };

export type BusLocation =
  { readonly kind: 'local' } | { readonly kind: 'redis'; readonly url: string };

const S3_PARAMS = ['endpoint', 'region', 'prefix', 'coldStorageClass'] as const;
const STORAGE_CLASSES: readonly string[] = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'REDUCED_REDUNDANCY',
];
/** S3's bucket naming rules (3–63 characters, lower case, digits, dots and hyphens). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function refuse(setting: string, message: string): never {
  throw new ServerError('invalid_request', `${setting}: ${message}`);
}

function parseUrl(raw: string, setting: string): URL {
  try {
    return new URL(raw);
  } catch {
    return refuse(setting, `"${raw.slice(0, 100)}" is not a URL`);
  }
}

/** `local` or an `s3://` URL; `setting` names the flag or variable in messages. */
export function parseBlocksLocation(raw: string, setting: string): BlocksLocation {
  if (raw === 'local') return { kind: 'local' };
  const url = parseUrl(raw, setting);
  if (url.protocol !== 's3:')
    refuse(setting, 'must be "local" or s3://BUCKET?endpoint=URL&region=R');
  if (url.username !== '' || url.password !== '') {
    refuse(
      setting,
      'S3 credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not the URL',
    );
  }
  const bucket = url.hostname;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    refuse(
      setting,
      `"${bucket}" is not an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)`,
    );
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    refuse(setting, 'a key prefix goes in ?prefix=, not the path');
  }
  for (const name of url.searchParams.keys()) {
    if (!(S3_PARAMS as readonly string[]).includes(name)) {
      refuse(setting, `unknown parameter "${name}" (known: ${S3_PARAMS.join(', ')})`);
    }
  }
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    const parsed = parseUrl(endpoint, `${setting} endpoint`);
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.search !== '') {
      refuse(setting, 'the endpoint must be an http(s) URL without a query');
    }
  }
  const region = url.searchParams.get('region') ?? undefined;
  if (region !== undefined && !/^[a-z0-9-]{1,40}$/.test(region))
    refuse(setting, `"${region}" is not a region`);
  const prefix = url.searchParams.get('prefix') ?? undefined;
  const badSegment = prefix?.split('/').some((segment) => segment === '.' || segment === '..');
  if (prefix !== undefined && (prefix.length > 200 || !/^[\w./-]*$/.test(prefix) || badSegment)) {
    refuse(
      setting,
      'the prefix may hold letters, digits, _ . / - (at most 200), no . or .. segment',
    );
  }
  const cold = url.searchParams.get('coldStorageClass') ?? undefined;
  if (cold !== undefined && !STORAGE_CLASSES.includes(cold)) {
    refuse(setting, `coldStorageClass must be one of ${STORAGE_CLASSES.join(', ')}`);
  }
  return {
    kind: 's3',
    bucket,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(prefix === undefined ? {} : { prefix }),
    ...(cold === undefined ? {} : { coldStorageClass: cold as StorageClass }),
  };
}

/**
 * `sqlite` (`<dataDir>/metadata.db`) or `postgres://USER@HOST:PORT/DB`; the password comes
 * from PGPASSWORD or a .pgpass file, never the URL.
 */
export function parseMetadataLocation(raw: string, setting: string): MetadataLocation {
  if (raw === 'sqlite') return { kind: 'sqlite' };
  const url = parseUrl(raw, setting);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    refuse(setting, 'must be "sqlite" or postgres://USER@HOST:PORT/DB');
  }
  if (url.password !== '') {
    refuse(setting, 'the PostgreSQL password comes from PGPASSWORD or ~/.pgpass, not the URL');
  }
  if (url.hostname === '' || url.pathname.length < 2) {
    refuse(setting, 'the PostgreSQL URL needs a host and a database: postgres://USER@HOST:PORT/DB');
  }
  return { kind: 'postgres', url: url.href };
}

/** `local` or a `redis://` (`rediss://` for TLS) URL. */
export function parseBusLocation(raw: string, setting: string): BusLocation {
  if (raw === 'local') return { kind: 'local' };
  const url = parseUrl(raw, setting);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    refuse(setting, 'must be "local" or redis://HOST:PORT');
  }
  if (url.hostname === '') refuse(setting, 'the Redis URL needs a host');
  if (!/^(\/\d{0,2})?$/.test(url.pathname))
    refuse(setting, 'the path of a Redis URL is a database number');
  return { kind: 'redis', url: url.href };
}
