/**
 * Commander argument parsers for the flags of the account and server-side commands. Each
 * throws InvalidArgumentError, which commander reports as a usage error (exit 2) before the
 * command does anything.
 */
import { InvalidArgumentError } from 'commander';
import { parseRate } from 'sync-engine';

/** The largest `--limit` a command accepts (the server's page limit for history and activity). */
export const MAX_LIMIT = 1000;

/** The roles of a share, for `--role`. */
export const SHARE_ROLES = ['viewer', 'editor'] as const;

/** Longest name or device name the server accepts, in characters. */
const MAX_NAME_LENGTH = 200;

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Any non-empty value (`--home`). */
export function parseNonEmpty(value: string): string {
  if (value === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/**
 * A server's base URL: http or https, no credentials, query or fragment. Returned without a
 * trailing slash, as device.json stores it.
 */
export function parseServerUrl(value: string): string {
  if (!URL.canParse(value))
    throw new InvalidArgumentError('must be a URL such as http://host:8787');
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`must be an http or https URL, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('must not contain a user name or password');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('must not have a query or a fragment');
  }
  return url.toString().replace(/\/+$/, '');
}

/** An email address of the shape the server accepts: `local@domain`, 3–254 characters. */
export function parseEmail(value: string): string {
  if (value.length < 3 || value.length > 254 || !/^[^@\s]+@[^@\s]+$/.test(value)) {
    throw new InvalidArgumentError('must be an email address such as ann@example.com');
  }
  return value;
}

/** A display name or device name: 1–200 characters, not blank, no control characters. */
export function parseName(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be blank');
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(`must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new InvalidArgumentError('must not contain control characters');
  }
  return value;
}

/** `--limit N`: a whole number from 1 to MAX_LIMIT, digits only. */
export function parseLimit(value: string): number {
  const limit = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** `--rev R`: a revision id as `ferry history` prints it (opaque, 1–64 visible characters). */
export function parseRev(value: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(value)) {
    throw new InvalidArgumentError('must be a revision id as ferry history prints it');
  }
  return value;
}

/** A bandwidth: `5MB/s`, `500KiB/s`, `2M` (bytes per second). */
export function parseBandwidth(value: string): number {
  const rate = parseRate(value);
  if (rate === undefined) {
    throw new InvalidArgumentError('must be a rate like 5MB/s, 500KiB/s or 2M (bytes per second)');
  }
  return rate;
}

/** A TCP port: 0 (any free one) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return port;
}
