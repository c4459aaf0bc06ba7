/**
 * The store's statements are written once, in SQLite's dialect; this turns one into
 * PostgreSQL's. The differences the modules use are few and mechanical: `?` placeholders
 * (`$1`, `$2`…), `INSERT OR IGNORE` (`ON CONFLICT DO NOTHING`), the two-argument scalar
 * `MAX`/`MIN` (`GREATEST`/`LEAST`), `json_each` over a JSON text (`json_array_elements_text`),
 * `instr` (`strpos`), `LIMIT -1` (`LIMIT ALL`), SQLite's `INDEXED BY` hints (dropped) and the
 * table `user`, a reserved word in PostgreSQL (quoted). Anything else is the same in both.
 */

/** Replaces `?` outside string literals with `$1`, `$2`… in order. */
function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let inString = false;
  for (const ch of sql) {
    if (ch === "'") inString = !inString;
    if (ch === '?' && !inString) out += `$${++n}`;
    else out += ch;
  }
  return out;
}

/** `INSERT OR IGNORE INTO t … [RETURNING …]` → `INSERT INTO t … ON CONFLICT DO NOTHING [RETURNING …]`. */
function insertOrIgnore(sql: string): string {
  if (!/INSERT OR IGNORE INTO/i.test(sql)) return sql;
  const plain = sql.replace(/INSERT OR IGNORE INTO/i, 'INSERT INTO');
  const returning = plain.search(/\bRETURNING\b/i);
  return returning === -1
    ? `${plain.trimEnd()} ON CONFLICT DO NOTHING`
    : `${plain.slice(0, returning)}ON CONFLICT DO NOTHING ${plain.slice(returning)}`;
}

const cache = new Map<string, string>();

/** The PostgreSQL text of a statement written for SQLite (memoised: statements repeat). */
export function toPostgres(sql: string): string {
  let translated = cache.get(sql);
  if (translated !== undefined) return translated;
  translated = insertOrIgnore(sql)
    .replace(/\bINDEXED BY \w+/gi, '')
    // Scalar MAX/MIN of two plain operands (the aggregate forms take one argument).
    .replace(/\bMAX\(([^(),]+),([^(),]+)\)/g, 'GREATEST($1,$2)')
    .replace(/\bMIN\(([^(),]+),([^(),]+)\)/g, 'LEAST($1,$2)')
    // json_each(x) alias → a set of texts named `value`, as SQLite's json_each has.
    .replace(
      /\bjson_each\(([^()]+)\)\s+(?!AS\b|WHERE\b|ON\b|JOIN\b)(\w+)/gi,
      'json_array_elements_text(($1)::json) AS $2(value)',
    )
    .replace(/\bjson_each\(([^()]+)\)/gi, 'json_array_elements_text(($1)::json) AS j(value)')
    .replace(/\binstr\(/gi, 'strpos(')
    .replace(/\bLIMIT -1\b/gi, 'LIMIT ALL')
    .replace(/\b(FROM|JOIN|INTO|UPDATE)\s+user\b/gi, '$1 "user"');
  translated = numberPlaceholders(translated);
  cache.set(sql, translated);
  return translated;
}
