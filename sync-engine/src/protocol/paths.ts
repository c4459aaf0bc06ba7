/**
 * Remote path rules (SPEC "HTTP API (v1)"): absolute, `/`-separated, NFC-normalised. Both sides
 * run every path through `parsePath`; the server rejects anything it refuses with `invalid_path`.
 */
import type { Brand } from './ids.js';

/** A path that passed `parsePath`: absolute, NFC, no empty, `.` or `..` segments. */
export type RemotePath = Brand<string, 'RemotePath'>;

/** The root of a namespace. */
export const ROOT_PATH = '/' as RemotePath;

/** Longest segment (one file or folder name), in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest whole path, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;

/** Why a path was refused. */
export type PathProblem =
  | 'not_a_string'
  | 'not_absolute'
  | 'empty_segment'
  | 'dot_segment'
  | 'control_character'
  | 'backslash'
  | 'invalid_unicode'
  | 'segment_too_long'
  | 'path_too_long';

/** The outcome of `parsePath`: a path, or the first problem found. */
export type PathResult =
  | { readonly ok: true; readonly path: RemotePath }
  | { readonly ok: false; readonly problem: PathProblem; readonly message: string };

const MESSAGES: Readonly<Record<PathProblem, string>> = {
  not_a_string: 'path must be a string',
  not_absolute: 'path must start with /',
  empty_segment: 'path has an empty segment (// or a trailing /)',
  dot_segment: 'path has a . or .. segment',
  control_character: 'path contains NUL or a control character',
  backslash: 'path contains a backslash',
  invalid_unicode: 'path is not valid Unicode (lone surrogate or U+FFFD from bad UTF-8)',
  segment_too_long: `a path segment is longer than ${MAX_SEGMENT_BYTES} UTF-8 bytes`,
  path_too_long: `path is longer than ${MAX_PATH_BYTES} UTF-8 bytes`,
};

const encoder = new TextEncoder();

function refuse(problem: PathProblem): PathResult {
  return { ok: false, problem, message: MESSAGES[problem] };
}

/** True when `text` holds a lone surrogate, or U+FFFD (what decoders put for invalid UTF-8). */
function hasInvalidUnicode(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0xfffd) return true;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** C0 controls, DEL and C1 controls: never part of a file name on any OS Ferry syncs to. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_PATTERN = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Validates and NFC-normalises a remote path. `/` is the root. Refuses: a relative path,
 * empty segments (`//`, trailing `/`), `.`/`..`, NUL and control characters, backslashes
 * (a separator on Windows, so ambiguous), lone surrogates and U+FFFD, a segment over 255 UTF-8
 * bytes or a path over 4096.
 *
 * @example parsePath('/Docs/cafe\u0301.txt') // { ok: true, path: '/Docs/café.txt' } (NFC)
 */
export function parsePath(raw: unknown): PathResult {
  if (typeof raw !== 'string') return refuse('not_a_string');
  if (!raw.startsWith('/')) return refuse('not_absolute');
  if (hasInvalidUnicode(raw)) return refuse('invalid_unicode');
  if (CONTROL_PATTERN.test(raw)) return refuse('control_character');
  if (raw.includes('\\')) return refuse('backslash');
  if (raw === '/') return { ok: true, path: ROOT_PATH };
  const path = raw.normalize('NFC');
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') return refuse('empty_segment');
    if (segment === '.' || segment === '..') return refuse('dot_segment');
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) return refuse('segment_too_long');
  }
  if (encoder.encode(path).length > MAX_PATH_BYTES) return refuse('path_too_long');
  return { ok: true, path: path as RemotePath };
}

/** The parent folder of `path`; the root is its own parent. */
export function parentPath(path: RemotePath): RemotePath {
  const cut = path.lastIndexOf('/');
  return (cut <= 0 ? '/' : path.slice(0, cut)) as RemotePath;
}

/** The last segment of `path` (the file or folder name); empty for the root. */
export function baseName(path: RemotePath): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `parent` + `/` + `name`; `name` must be a single valid segment. */
export function joinPath(parent: RemotePath, name: string): RemotePath {
  return (parent === '/' ? `/${name}` : `${parent}/${name}`) as RemotePath;
}

/** True when `path` equals `ancestor` or lies anywhere below it. */
export function isSameOrDescendant(path: RemotePath, ancestor: RemotePath): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Every ancestor folder of `path`, from the top down, excluding the root and `path` itself. */
export function ancestorsOf(path: RemotePath): RemotePath[] {
  const result: RemotePath[] = [];
  let cut = path.indexOf('/', 1);
  while (cut > 0) {
    result.push(path.slice(0, cut) as RemotePath);
    cut = path.indexOf('/', cut + 1);
  }
  return result;
}

/**
 * Whether a name has one Unicode spelling only (printable ASCII: NFC and NFD spell it alike),
 * so that no file on disk can hold it under another spelling.
 */
export function hasOneSpelling(name: string): boolean {
  return /^[\u0020-\u007e]*$/.test(name);
}
