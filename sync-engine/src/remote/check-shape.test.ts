import { describe, expect, it } from 'vitest';
import { findShapeProblem, type Shape } from './check-shape.js';
import { changesSchema, entrySchema, uploadedFileSchema } from './response-schemas.js';

const HASH = '0f'.repeat(32);
const file = {
  type: 'file',
  path: '/Docs/a.txt',
  fileId: 'file-1',
  namespace: 'ns-1',
  rev: 'rev-1',
  size: 10,
  contentHash: HASH,
  modified: 1_700_000_000_000,
  status: 'uploaded',
};

describe('findShapeProblem', () => {
  const shape: Shape = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 5 },
      count: { type: 'integer', minimum: 0, maximum: 9 },
      ratio: { type: 'number' },
      tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, maxItems: 2 },
      kind: { enum: ['a', 'b'] },
      maybe: { type: ['string', 'null'] },
      path: { type: 'string', format: 'remote-path' },
    },
    required: ['name'],
  };

  it.each([
    [{ name: 'ok' }, undefined],
    [{ name: 'ok', count: 3, ratio: 0.5, tags: ['x'], kind: 'a', maybe: null }, undefined],
    [{ name: 'ok', extra: 'newer servers may add fields' }, undefined],
    [{ name: 'ok', path: '/a/b' }, undefined],
    [null, '$: expected object'],
    [[], '$: expected object'],
    [{}, '$.name: missing'],
    [{ name: '' }, '$.name: too short'],
    [{ name: 'toolong' }, '$.name: too long'],
    [{ name: 'ok', count: 1.5 }, '$.count: expected integer'],
    [{ name: 'ok', count: -1 }, '$.count: below its minimum'],
    [{ name: 'ok', count: 10 }, '$.count: above its maximum'],
    [{ name: 'ok', ratio: Number.NaN }, '$.ratio: expected number'],
    [{ name: 'ok', tags: ['x', 'Y'] }, '$.tags[1]: does not match its pattern'],
    [{ name: 'ok', tags: ['a', 'b', 'c'] }, '$.tags: too long'],
    [{ name: 'ok', kind: 'c' }, '$.kind: not an allowed value'],
    [{ name: 'ok', maybe: 3 }, '$.maybe: expected string,null'],
    [{ name: 'ok', path: '/a/../b' }, '$.path: path has a . or .. segment'],
    [{ name: 'ok', path: 'a' }, '$.path: path must start with /'],
    [{ name: 'ok', path: '/e\u0301' }, '$.path: path is not NFC'],
  ])('%j → %s', (value, problem) => {
    expect(findShapeProblem(shape, value)).toBe(problem);
  });

  it('does not read inherited properties as present', () => {
    const value = Object.create({ name: 'inherited' }) as object;
    expect(findShapeProblem(shape, value)).toBe('$.name: missing');
  });
});

describe('the response schemas', () => {
  it('accept what the server sends and refuse a file without content', () => {
    expect(findShapeProblem(uploadedFileSchema, file)).toBeUndefined();
    expect(findShapeProblem(uploadedFileSchema, { ...file, rev: null })).toBe(
      '$.rev: expected string',
    );
    expect(
      findShapeProblem(entrySchema, { ...file, status: 'pending', rev: null, contentHash: '' }),
    ).toBeUndefined();
    expect(
      findShapeProblem(entrySchema, {
        type: 'folder',
        path: '/Shared',
        fileId: 'f2',
        namespace: 'ns-1',
        mount: { namespace: 'ns-2', role: 'viewer' },
      }),
    ).toBeUndefined();
    expect(findShapeProblem(entrySchema, { ...file, type: 'symlink' })).toBeDefined();
  });

  it('accept each change tag and refuse an unknown one', () => {
    const fields: Record<string, unknown> = { ...file };
    delete fields.type;
    const page = (entry: unknown) => ({ entries: [entry], cursor: 'c', hasMore: false });
    const entries = [
      { tag: 'file', ...fields, movedFrom: '/old.txt' },
      { tag: 'folder', path: '/D', fileId: 'f', namespace: 'ns-1' },
      { tag: 'deleted', path: '/D', fileId: 'f', namespace: 'ns-1' },
    ];
    for (const entry of entries)
      expect(findShapeProblem(changesSchema, page(entry))).toBeUndefined();
    expect(findShapeProblem(changesSchema, page({ ...entries[1], tag: 'renamed' }))).toBeDefined();
    expect(findShapeProblem(changesSchema, page({ ...entries[0], size: -1 }))).toBeDefined();
  });
});
