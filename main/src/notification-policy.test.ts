import { describe, expect, it } from 'vitest';
import type { ActivityEvent } from 'sync-engine/protocol';
import { commonFolder, notificationsFor } from './notification-policy.js';

let id = 0;
const event = (actor: string, kind: ActivityEvent['kind'], path: string): ActivityEvent =>
  ({
    id: (id += 1),
    kind,
    path,
    namespace: 'ns',
    actor,
    actorId: `u-${actor}`,
    deviceName: 'desk',
    time: 1,
  }) as unknown as ActivityEvent;

describe('desktop notifications', () => {
  it('come only from other people, for edits, deletes and shares', () => {
    expect(
      notificationsFor(
        [
          event('Me', 'file_edited', '/a.txt'),
          event('Ann', 'file_added', '/new.txt'),
          event('Ann', 'folder_created', '/New'),
          event('Ann', 'file_edited', '/Plans/q1.txt'),
        ],
        'u-Me',
      ),
    ).toEqual([{ title: 'Ann', body: 'edited q1.txt', revealPath: '/Plans/q1.txt' }]);
  });

  it('batch many events of one person and kind into one, revealing their common folder', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      event('Ann', 'file_edited', `/Plans/2027/f${i}.txt`),
    );
    expect(notificationsFor([...many, event('Bo', 'file_deleted', '/old.txt')], 'u-Me')).toEqual([
      { title: 'Ann', body: 'edited 12 files in /Plans/2027', revealPath: '/Plans/2027' },
      { title: 'Bo', body: 'deleted old.txt', revealPath: '/old.txt' },
    ]);
  });

  it('collapse into one summary past three groups', () => {
    const events = ['Ann', 'Bo', 'Cy', 'Di'].flatMap((actor) => [
      event(actor, 'file_edited', `/${actor}/a`),
      event(actor, 'file_deleted', `/${actor}/b`),
    ]);
    expect(notificationsFor(events, 'u-Me')).toEqual([
      { title: 'Ferry', body: '8 changes by 4 people', revealPath: '/' },
    ]);
  });

  it('say nothing for nothing', () => {
    expect(notificationsFor([], 'u-Me')).toEqual([]);
  });

  it.each([
    [['/a/b/c.txt', '/a/b/d.txt'], '/a/b'],
    [['/a/b/c.txt', '/a/x/d.txt'], '/a'],
    [['/a.txt', '/b.txt'], '/'],
    [['/a/b.txt'], '/a'],
  ])('commonFolder(%j) is %s', (paths, folder) => expect(commonFolder(paths)).toBe(folder));
});
