import { describe, expect, it } from 'vitest';
import { toPostgres } from './sql-dialect.js';

describe('SQLite statements in PostgreSQL', () => {
  it.each([
    [
      'SELECT * FROM file WHERE namespace_id = ? AND path = ?',
      'SELECT * FROM file WHERE namespace_id = $1 AND path = $2',
    ],
    ["SELECT '?' AS q, ? AS v", "SELECT '?' AS q, $1 AS v"],
    [
      'INSERT OR IGNORE INTO block (a, b) VALUES (?, ?)',
      'INSERT INTO block (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    ],
    [
      'INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING a',
      'INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a',
    ],
    [
      'UPDATE x SET touched_ms = MAX(touched_ms, ?) WHERE id = ?',
      'UPDATE x SET touched_ms = GREATEST(touched_ms, $1) WHERE id = $2',
    ],
    ['SELECT MAX(seq) AS seq FROM journal', 'SELECT MAX(seq) AS seq FROM journal'],
    ['UPDATE q SET bytes = MAX(0, bytes - ?)', 'UPDATE q SET bytes = GREATEST(0, bytes - $1)'],
    [
      'SELECT value FROM json_each(?)',
      'SELECT value FROM json_array_elements_text(($1)::json) AS j(value)',
    ],
    [
      'SELECT DISTINCT j.value AS id FROM file_version v, json_each(v.blocks) j WHERE v.namespace_id = ?',
      'SELECT DISTINCT j.value AS id FROM file_version v, json_array_elements_text((v.blocks)::json) AS j(value) WHERE v.namespace_id = $1',
    ],
    [
      'DELETE FROM journal INDEXED BY journal_by_path WHERE a = ?',
      'DELETE FROM journal  WHERE a = $1',
    ],
    [
      "SELECT * FROM f WHERE instr(substr(path, 2), '/') = 0",
      "SELECT * FROM f WHERE strpos(substr(path, 2), '/') = 0",
    ],
    [
      'SELECT rev FROM v ORDER BY o DESC LIMIT -1 OFFSET ?',
      'SELECT rev FROM v ORDER BY o DESC LIMIT ALL OFFSET $1',
    ],
    [
      'SELECT u.name FROM file_version v JOIN user u ON u.id = v.author_id',
      'SELECT u.name FROM file_version v JOIN "user" u ON u.id = v.author_id',
    ],
    ['SELECT user_id FROM device WHERE id = ?', 'SELECT user_id FROM device WHERE id = $1'],
    [
      'SELECT last_seq AS lastSeq, pruned_seq AS prunedSeq, x AS seq FROM namespace',
      'SELECT last_seq AS "lastSeq", pruned_seq AS "prunedSeq", x AS seq FROM namespace',
    ],
  ])('%s', (sqlite, postgres) => {
    expect(toPostgres(sqlite).text).toBe(postgres);
  });

  it('numbers named parameters once each, and names them in order', () => {
    expect(
      toPostgres("UPDATE e SET a = @root, p = @prefix || path WHERE n = @root AND x = '@no'"),
    ).toEqual({
      text: "UPDATE e SET a = $1, p = $2 || path WHERE n = $1 AND x = '@no'",
      names: ['root', 'prefix'],
    });
  });
});
