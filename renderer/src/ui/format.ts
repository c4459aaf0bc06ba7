/** How sizes, rates and times read in the window. Pure. */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** `0 bytes`, `1 byte`, `999 bytes`, `1.5 KB`, `12 MB`, `1.2 GB` (powers of 1000, as Finder). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes === 1) return '1 byte';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} bytes`;
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** `2.5 MB/s`; `''` for nothing moving. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '';
}

/** `just now`, `5 minutes ago`, `yesterday`, `3 days ago`, then the date. */
export function formatRelativeTime(thenMs: number, nowMs: number): string {
  const seconds = Math.round((nowMs - thenMs) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'a minute ago' : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? 'an hour ago' : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(thenMs).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}

/** `14:05` today, else `3 Dec, 14:05`. */
export function formatClockTime(timeMs: number, nowMs: number): string {
  const then = new Date(timeMs);
  const sameDay = then.toDateString() === new Date(nowMs).toDateString();
  const time = then.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return sameDay
    ? time
    : `${then.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`;
}

/** The last segment of a `/`-rooted path; `/` for the root. */
export function baseName(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === '' ? '/' : name;
}

/** The folder part of a `/`-rooted path, `/` for a top-level item. */
export function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** Where an item sits, as a list's second line says it: `in /docs`, nothing at the top. */
export function placeOf(path: string): string {
  const folder = folderOf(path);
  return folder === '/' ? '' : `in ${folder}`;
}
