/**
 * The browser UI's files, served by the control API beside `/api/*` (issue 11, "the same UI in
 * a browser"). The folder (built by `npm run build` into dist/ui/) is read once at start into
 * memory: a few hundred kilobytes, and no request path ever reaches the file system, so no
 * traversal, symlink or case trick can serve anything else.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One file of the UI, ready to answer. */
export interface UiFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The UI's files by URL path (`/`, `/app.js`, …). */
export type UiFiles = ReadonlyMap<string, UiFile>;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The page may load its own scripts, styles and images and talk to its own origin; nothing
 * inline, nothing from elsewhere, no framing (clickjacking), no form posts, no `<base>`.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Reads every regular file directly in `dir` (one level: the UI build is flat) whose type is
 * known. `index.html` answers `/` as well as `/index.html`. Throws when `dir` has no index.html.
 */
export async function loadUiFiles(dir: string): Promise<UiFiles> {
  const files = new Map<string, UiFile>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const dot = entry.name.lastIndexOf('.');
    const contentType = dot < 0 ? undefined : CONTENT_TYPES[entry.name.slice(dot).toLowerCase()];
    if (contentType === undefined) continue;
    files.set(`/${entry.name}`, { body: await readFile(join(dir, entry.name)), contentType });
  }
  const index = files.get('/index.html');
  if (index === undefined) throw new Error(`${dir} has no index.html (run npm run build)`);
  files.set('/', index);
  return files;
}
