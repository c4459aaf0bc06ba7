/**
 * Parses the `Content-Range` of a resumable upload piece: `bytes a-b/total` (a piece) or
 * `bytes *\/total` (a status query).
 */

export type ContentRange =
  | { readonly kind: 'piece'; readonly start: number; readonly end: number; readonly total: number }
  | { readonly kind: 'query'; readonly total: number };

/** The parsed header, or undefined when it is malformed. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const query = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (query) {
    const total = Number(query[1]);
    return Number.isSafeInteger(total) ? { kind: 'query', total } : undefined;
  }
  const piece = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!piece) return undefined;
  const [start, end, total] = [Number(piece[1]), Number(piece[2]), Number(piece[3])];
  if (![start, end, total].every(Number.isSafeInteger)) return undefined;
  if (end < start || end >= total) return undefined;
  return { kind: 'piece', start, end, total };
}
