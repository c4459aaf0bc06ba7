import { describe, expect, it } from 'vitest';
import type { NamespaceId } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import { decodeCursor, decodeCursorState, encodeCursor } from './user-cursor.js';

describe('user cursors', () => {
  it('round-trip positions, including none', () => {
    const positions = new Map([
      ['ns_a', 3],
      ['ns_b', 0],
    ] as Array<[NamespaceId, number]>);
    expect(decodeCursor(encodeCursor(positions))).toEqual(positions);
    expect(decodeCursor(encodeCursor(new Map()))).toEqual(new Map());
  });

  it('carry prune marks only for positions below them', () => {
    const positions = new Map([
      ['ns_a', 3],
      ['ns_b', 9],
    ] as Array<[NamespaceId, number]>);
    const pruned = new Map([
      ['ns_a', 7],
      ['ns_b', 7],
    ] as Array<[NamespaceId, number]>);
    expect(decodeCursorState(encodeCursor(positions, pruned))).toEqual({
      positions,
      pruned: new Map([['ns_a', 7]]),
    });
    expect(decodeCursorState(encodeCursor(positions)).pruned).toEqual(new Map());
  });

  it.each([
    ['bad prune marks', Buffer.from('{"v":1,"n":{},"p":{"x":"7"}}').toString('base64url')],
    ['prune marks as an array', Buffer.from('{"v":1,"n":{},"p":[7]}').toString('base64url')],
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['wrong version', Buffer.from('{"v":2,"n":{}}').toString('base64url')],
    ['negative seq', Buffer.from('{"v":1,"n":{"x":-1}}').toString('base64url')],
    ['fractional seq', Buffer.from('{"v":1,"n":{"x":1.5}}').toString('base64url')],
    ['array', Buffer.from('{"v":1,"n":[1]}').toString('base64url')],
  ])('refuse %s as invalid_cursor', (_name, text) => {
    expect(() => decodeCursor(text)).toThrow(ServerError);
    try {
      decodeCursor(text);
    } catch (error) {
      expect((error as ServerError).code).toBe('invalid_cursor');
    }
  });
});
