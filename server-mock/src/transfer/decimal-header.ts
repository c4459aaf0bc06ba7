/**
 * Byte counts from request headers (`X-Upload-Content-Length`, `Content-Length`): a plain decimal
 * number only. `Number()` alone would take `0x10`, `1e3`, `+7`, `7.0`, `0b11` and read `""` or
 * `" "` as 0 (issue 7, item 11); RFC 9110 §8.6 allows nothing but digits.
 */

/** Digits only, at most 16 (as many as Number.MAX_SAFE_INTEGER has); the range is checked after. */
const DECIMAL = /^[0-9]{1,16}$/;

/** The byte count in `value`, or undefined unless it is digits only and a safe integer. */
export function parseDecimalLength(
  value: string | readonly string[] | undefined,
): number | undefined {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return undefined;
  const bytes = Number(value);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
