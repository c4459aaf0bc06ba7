/** Bandwidth limits as the Settings screen edits them: kilobytes per second, empty for none. */

/** `500000` → `'500'`; null → `''`. */
export function limitToField(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : String(Math.round(bytesPerSecond / 1000));
}

/** `'500'` → 500000, `''` → null; undefined when the text is not a whole number from 1. */
export function fieldToLimit(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^[1-9][0-9]{0,6}$/.test(trimmed)) return undefined;
  return Number(trimmed) * 1000;
}
