import type { Migration } from '../migrate.js';

const TREES = ['local_item', 'remote_item', 'synced_item'] as const;
const EVENTS = ['insert', 'update', 'delete'] as const;

/**
 * Version 7: a counter of writes to the three trees, bumped by triggers so that no write can
 * miss it (a cascade from `item` included). The same number means the same trees: the sync
 * loop plans again only when it moved, and a folder that agreed at start-up's number is known
 * to agree without comparing 100,000 rows (docs/sync-engine.md "Planning only when the trees
 * moved").
 */
const SQL = `
CREATE TABLE tree_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO tree_version (id, version) VALUES (1, 0);
${TREES.flatMap((table) =>
  EVENTS.map(
    (event) => `CREATE TRIGGER ${table}_${event}_version AFTER ${event.toUpperCase()} ON ${table}
BEGIN UPDATE tree_version SET version = version + 1; END;`,
  ),
).join('\n')}
`;

/** Schema version 7: the trees' write counter. */
export const migration007TreeVersion: Migration = {
  version: 7,
  name: 'tree-version',
  up(db) {
    db.exec(SQL);
  },
};
