/**
 * A FileSystem that refuses some names, as Windows, macOS or an encrypted Linux home do, around
 * the real adapter. Linux's own file systems accept `a:b?.txt`, `CON.txt` and `trailing. `, so
 * the refusal is a fault the tests cannot cause on this disk (STYLE.md section 7: a double only
 * for such a fault, as a wrapper around the real adapter). Creating a file or a folder, or
 * renaming onto a path, throws an errno error like Node's when a segment of the path breaks the
 * rule; nothing is created then. Reading, deleting and everything else pass straight through:
 * a refused name never exists here, so nothing can be read or deleted by it.
 */
import { constants } from 'node:os';
import type { FileSystem } from '../ports.js';

/** The errno codes Node reports for a name the file system will not take. */
export type RefusalCode = 'EINVAL' | 'ENOENT' | 'EILSEQ' | 'ENAMETOOLONG';

/** The code to refuse one name (a path segment) with, or undefined to accept it. */
export type NameRule = (name: string) => RefusalCode | undefined;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\.[^.]*)*$/i;
// eslint-disable-next-line no-control-regex -- control characters are among what Windows refuses
const WINDOWS_INVALID = /[<>:"|?*\u0000-\u001f]/;

/**
 * Windows (NTFS through Node): `< > : " | ? *` and control characters give ERROR_INVALID_NAME,
 * which libuv reports as ENOENT; a reserved device name (`CON`, `nul.txt`, `COM1`…) and a
 * trailing dot or space are modelled as EINVAL (Win32 itself opens the device or strips the dot
 * silently, depending on the call; either way the name cannot be had); over 255 UTF-16 code
 * units, ENAMETOOLONG.
 */
export const windowsNameRule: NameRule = (name) => {
  if (WINDOWS_INVALID.test(name)) return 'ENOENT';
  if (WINDOWS_RESERVED.test(name) || /[. ]$/.test(name)) return 'EINVAL';
  if (name.length > 255) return 'ENAMETOOLONG';
  return undefined;
};

// UTF-16 that has no UTF-8 form: half of a surrogate pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** macOS (APFS): a name that is not valid UTF-8 (a lone surrogate) gives EILSEQ; over 255 bytes, ENAMETOOLONG. */
export const macNameRule: NameRule = (name) => {
  if (LONE_SURROGATE.test(name)) return 'EILSEQ';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'ENAMETOOLONG';
  return undefined;
};

/** A name longer than `maxBytes` UTF-8 bytes: ENAMETOOLONG (eCryptfs homes on Linux: 143). */
export function nameBytesRule(maxBytes: number): NameRule {
  return (name) => (Buffer.byteLength(name, 'utf8') > maxBytes ? 'ENAMETOOLONG' : undefined);
}

/** The first refusal of any of `rules`. */
export function anyNameRule(...rules: readonly NameRule[]): NameRule {
  return (name) => {
    for (const rule of rules) {
      const code = rule(name);
      if (code !== undefined) return code;
    }
    return undefined;
  };
}

/** One refused call, for tests to prove the refusal really happened. */
export interface Refusal {
  readonly call: 'createFile' | 'mkdir' | 'rename';
  readonly path: string;
  readonly code: RefusalCode;
}

export interface RefusingFileSystem extends FileSystem {
  /** Every refused call so far, oldest first. */
  readonly refusals: readonly Refusal[];
}

const DESCRIPTIONS: Record<RefusalCode, string> = {
  EINVAL: 'invalid argument',
  ENOENT: 'no such file or directory',
  EILSEQ: 'illegal byte sequence',
  ENAMETOOLONG: 'name too long',
};

/** `inner` (the real adapter), refusing every path with a segment that `rule` refuses. */
export function createRefusingFileSystem(inner: FileSystem, rule: NameRule): RefusingFileSystem {
  const refusals: Refusal[] = [];
  /** Throws like Node (`code`, `errno`, `syscall`, `path`) when a segment is refused. */
  const check = (call: Refusal['call'], treePath: string, from?: string): void => {
    for (const segment of treePath.split('/')) {
      if (segment === '') continue;
      const code = rule(segment);
      if (code === undefined) continue;
      refusals.push({ call, path: treePath, code });
      const syscall = call === 'createFile' ? 'open' : call;
      const target = from === undefined ? `'${treePath}'` : `'${from}' -> '${treePath}'`;
      throw Object.assign(new Error(`${code}: ${DESCRIPTIONS[code]}, ${syscall} ${target}`), {
        code,
        errno: -(constants.errno[code] ?? 0),
        syscall,
        path: from ?? treePath,
        ...(from === undefined ? {} : { dest: treePath }),
      });
    }
  };
  return {
    refusals,
    stat: (path, signal) => inner.stat(path, signal),
    readDir: (path, signal) => inner.readDir(path, signal),
    readFile: (path, signal) => inner.readFile(path, signal),
    readRange: (path, offset, length, signal, into) =>
      inner.readRange(path, offset, length, signal, into),
    createFile: async (path) => {
      check('createFile', path);
      return inner.createFile(path);
    },
    rename: async (from, to) => {
      check('rename', to, from);
      return inner.rename(from, to);
    },
    renameNoReplace: async (from, to) => {
      check('rename', to, from);
      return inner.renameNoReplace(from, to);
    },
    mkdir: async (path) => {
      check('mkdir', path);
      return inner.mkdir(path);
    },
    removeFile: (path) => inner.removeFile(path),
    removeFolder: (path) => inner.removeFolder(path),
    removeTree: (path) => inner.removeTree(path),
    setMtime: (path, mtimeMs) => inner.setMtime(path, mtimeMs),
  };
}
