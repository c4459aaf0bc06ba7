/**
 * The store's statements are written once, in SQLite's dialect; this turns one into
 * PostgreSQL's. The differences the modules use are few and mechanical: `?` placeholders
 * (`$1`, `$2`…), `INSERT OR IGNORE` (`ON CONFLICT DO NOTHING`), the two-argument scalar
 * `MAX`/`MIN` (`GREATEST`/`LEAST`), `json_each` over a JSON text (`json_array_elements_text`),
 * `instr` (`strpos`), `LIMIT -1` (`LIMIT ALL`), SQLite's `INDEXED BY` hints (dropped), the
 * table `user`, a reserved word in PostgreSQL (quoted), camelCase aliases (quoted: PostgreSQL
 * folds names to lower case) and `@name` parameters (numbered). Anything else is the same in both.
 */

/** A statement for PostgreSQL, and the names of its `@name` parameters in `$n` order. */
export interface PgStatementText {
  readonly text: string;
  /** Set when the statement takes one object of named values (better-sqlite3's `@name`). */
  readonly names?: readonly string[];
}

/**
 * Replaces `?` outside string literals with `$1`, `$2`… in order, or each distinct `@name`
 * with one `$n`.
 */
function numberPlaceholders(sql: string): PgStatementText {
  let out = '';
  let n = 0;
  let inString = false;
  const names: string[] = [];
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'") inString = !inString;
    if (inString) {
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else if (ch === '@' && /[a-z_]/i.test(sql[i + 1] ?? '')) {
      const name = /^[a-z_]\w*/i.exec(sql.slice(i + 1))![0];
      if (!names.includes(name)) names.push(name);
      out += `$${names.indexOf(name) + 1}`;
      i += name.length;
    } else {
      out += ch;
    }
  }
  return names.length > 0 ? { text: out, names } : { text: out };
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

const cache = new Map<string, PgStatementText>();

/** The PostgreSQL text of a statement written for SQLite (memoised: statements repeat). */
export function toPostgres(sql: string): PgStatementText {
  const known = cache.get(sql);
  if (known !== undefined) return known;
  const rewritten = insertOrIgnore(sql)
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
    .replace(/\b(FROM|JOIN|INTO|UPDATE)\s+user\b/gi, '$1 "user"')
    // PostgreSQL folds unquoted names to lower case: a camelCase alias keeps its case quoted.
    .replace(/\bAS ([a-z]+[A-Z]\w*)/g, 'AS "$1"');
  const translated = numberPlaceholders(rewritten);
  cache.set(sql, translated);
  return translated;
}
