/**
 * Text for people: sizes in binary units (`1.2 MiB`, `10 GiB`, as the README states quotas),
 * local times, and left-aligned tables. `--json` output never goes through here.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `sizeBytes` in the largest binary unit below it, one decimal, none when whole (`10 GiB`). */
export function formatBytes(sizeBytes: number): string {
  let value = sizeBytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const text = value.toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text} ${UNITS[unit]}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** An epoch-ms time as local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(timeMs: number): string {
  const d = new Date(timeMs);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Rows under a header, columns padded to their widest cell, two spaces apart. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
