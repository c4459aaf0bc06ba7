import { describe, expect, it } from 'vitest';
import type { Operation, PlanItemId } from '../plan/index.js';
import { independentOperations } from './independent-operations.js';

const id = (n: number) => `item-${n}` as PlanItemId;

describe('independentOperations', () => {
  it('runs a folder move before a move out of that folder, and siblings together', () => {
    const operations: Operation[] = [
      { kind: 'move_remote', itemId: id(2), from: '/docs/ideas/todo.txt', to: '/todo.txt' },
      { kind: 'move_remote', itemId: id(1), from: '/docs/ideas', to: '/docs/plans' },
      { kind: 'upload', itemId: id(3), path: '/a.txt' },
      { kind: 'upload', itemId: id(4), path: '/b.txt' },
    ];
    expect(independentOperations(operations).map((operation) => operation.itemId)).toEqual([
      id(3),
      id(4),
      id(1),
    ]);
  });

  it('creates a folder before downloading into it', () => {
    const operations: Operation[] = [
      { kind: 'download', itemId: id(2), path: '/photos/x.jpg' },
      { kind: 'mkdir_local', itemId: id(1), path: '/photos' },
      { kind: 'download', itemId: id(3), path: '/photosynthesis.txt' },
    ];
    expect(independentOperations(operations).map((operation) => operation.itemId)).toEqual([
      id(1),
      id(3),
    ]);
  });

  it('keeps record and forget (no path) and every unrelated operation', () => {
    const operations: Operation[] = [
      { kind: 'forget', itemId: id(1) },
      { kind: 'record', itemId: id(2) },
      ...Array.from({ length: 100 }, (_, i): Operation => ({
        kind: 'upload',
        itemId: id(10 + i),
        path: `/f${i}`,
      })),
    ];
    expect(independentOperations(operations)).toHaveLength(102);
  });
});
