import { execFileSync } from 'node:child_process';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import { createIgnoreRules } from '../ignore/ignore-rules.js';
import type { FileSystem } from '../ports.js';
import { useTempDir } from '../testkit/index.js';
import { fingerprintThrough } from './fingerprint-entry.js';
import { scanFolder, type KnownEntry, type ScanResult } from './scan-folder.js';

const dir = useTempDir('scan');

async function put(relative: string, content = relative) {
  const file = path.join(dir(), relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function scan(known = new Map<string, KnownEntry>(), fs?: FileSystem, ignoreText?: string) {
  const disk = fs ?? createNodeFileSystem(dir());
  return scanFolder({
    fs: disk,
    ignore: createIgnoreRules(ignoreText),
    known,
    fingerprint: fingerprintThrough(disk),
  });
}

const knownFrom = (result: ScanResult) =>
  new Map(result.entries.map((e) => [e.path, e] as [string, KnownEntry]));

describe('scanFolder', () => {
  it('lists files and folders (empty ones too) with inode, size, mtime and fingerprints', async () => {
    await put('a.txt', 'alpha');
    await put('docs/b.md', 'beta');
    await mkdir(path.join(dir(), 'empty'));
    const result = await scan();
    expect(result.problems).toEqual([]);
    expect(result.entries.map((e) => `${e.kind} ${e.path}`)).toEqual([
      'file /a.txt',
      'folder /docs',
      'file /docs/b.md',
      'folder /empty',
    ]);
    const a = result.entries[0]!;
    expect(a).toMatchObject({ sizeBytes: 5, wasRead: true });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(a.inode).toMatch(/^[0-9]+$/);
  });

  it('reads no file content of an unchanged tree, and only what changed after an edit', async () => {
    await put('a.txt');
    await put('b/c.txt');
    await put('b/d.txt');
    const first = await scan();
    expect(first.entries.filter((e) => e.wasRead)).toHaveLength(3);
    const reads: string[] = [];
    const disk = createNodeFileSystem(dir());
    const counting: FileSystem = {
      ...disk,
      readFile: (p, signal) => {
        reads.push(p);
        return disk.readFile(p, signal);
      },
    };
    const again = await scan(knownFrom(first), counting);
    expect(reads).toEqual([]);
    expect(again.entries.map((e) => e.fingerprint)).toEqual(
      first.entries.map((e) => e.fingerprint),
    );

    // Touched but unchanged: read again (mtime moved), same fingerprint.
    const later = new Date(Date.now() + 5_000);
    await utimes(path.join(dir(), 'b/c.txt'), later, later);
    await put('b/d.txt', 'edited');
    const third = await scan(knownFrom(again), counting);
    expect(reads.sort()).toEqual(['/b/c.txt', '/b/d.txt']);
    const byPath = knownFrom(third);
    expect(byPath.get('/b/c.txt')!.fingerprint).toBe(knownFrom(first).get('/b/c.txt')!.fingerprint);
    expect(byPath.get('/b/d.txt')!.fingerprint).not.toBe(
      knownFrom(first).get('/b/d.txt')!.fingerprint,
    );
  });

  it('leaves out ignored entries and reports symlinks, FIFOs and invalid or non-portable names', async () => {
    await put('keep.txt');
    await put('scratch.tmp');
    await put('build/out.js');
    await put('.ferry/part-1');
    await put('CON.txt');
    await put('bad\u0001name');
    await symlink('keep.txt', path.join(dir(), 'link'));
    execFileSync('mkfifo', [path.join(dir(), 'pipe')]);
    const result = await scan(undefined, undefined, '/build/');
    expect(result.entries.map((e) => e.path)).toEqual(['/CON.txt', '/keep.txt']);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { kind: 'unsupported_entry', path: '/link', entry: 'symlink' },
        { kind: 'unsupported_entry', path: '/pipe', entry: 'other' },
        { kind: 'invalid_path', path: '/bad\u0001name', problem: 'control_character' },
        { kind: 'not_portable', path: '/CON.txt', reason: 'windows_reserved_name' },
      ]),
    );
    expect(result.problems).toHaveLength(4);
  });

  it('gives NFC paths for NFD names, and reports NFC/NFD and case-only twins', async () => {
    const nfd = 'Cafe\u0301.txt';
    await put(`one/${nfd}`, 'nfd on disk');
    await put('two/Cafe\u0301', 'nfd');
    await put('two/Caf\u00e9', 'nfc');
    await put('three/Readme.md');
    await put('three/README.md');
    const result = await scan();
    const cafe = result.entries.find((e) => e.path === '/one/Caf\u00e9.txt');
    expect(cafe).toMatchObject({ kind: 'file', diskPath: `/one/${nfd}` });
    expect(result.entries.some((e) => e.path.startsWith('/two/'))).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        {
          kind: 'unicode_twins',
          paths: expect.arrayContaining(['/two/Cafe\u0301', '/two/Caf\u00e9']),
        },
        { kind: 'case_only_twins', paths: ['/three/README.md', '/three/Readme.md'] },
      ]),
    );
    // Case-only twins still sync between devices whose file systems accept them.
    expect(result.entries.filter((e) => e.path.startsWith('/three/'))).toHaveLength(2);
  });

  it('reports an unreadable file and goes on with the rest', async () => {
    await put('ok.txt');
    await put('locked.txt');
    const disk = createNodeFileSystem(dir());
    // Root can read any file, so the permission fault is injected around the real adapter.
    const locked: FileSystem = {
      ...disk,
      readFile: (p, signal) => {
        if (p === '/locked.txt') {
          throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
        }
        return disk.readFile(p, signal);
      },
    };
    const result = await scan(undefined, locked);
    expect(result.entries.map((e) => e.path)).toEqual(['/ok.txt']);
    expect(result.problems).toEqual([{ kind: 'unreadable', path: '/locked.txt', code: 'EACCES' }]);
  });
});
