// Builds the UI (renderer/) into static files, dist/ui/: index.html, app.js, app.css and the
// icon. Electron loads them from disk and the control API serves them to a browser
// (`ferry sync --ui-port`). Run by `npm run build` and, when the sources are newer than the
// build, by `ferry sync --ui-port` itself (app/config/ui-files.ts), so the page served is never
// stale. esbuild: already Ferry's bundler, and it builds the whole UI in well under a second.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const defaultRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the UI of the repository at `root` into `outdir` (default `root/dist/ui`). */
export async function bundleUi({ root = defaultRoot, outdir: finalDir = `${root}dist/ui` } = {}) {
  // Built beside the old build and swapped in at the end: a `ferry sync` starting meanwhile
  // reads a whole build, never a half-written one.
  const outdir = `${finalDir}.building-${process.pid}`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: `${root}renderer/src/main.tsx`, styles: `${root}renderer/src/styles.css` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    outdir,
    entryNames: '[name]',
    metafile: true,
    logLevel: 'warning',
  });
  // esbuild names the stylesheet after its entry; the page links app.css.
  copyFileSync(`${outdir}/styles.css`, `${outdir}/app.css`);
  rmSync(`${outdir}/styles.css`);
  rmSync(`${outdir}/styles.css.map`, { force: true });
  copyFileSync(`${root}renderer/index.html`, `${outdir}/index.html`);
  copyFileSync(`${root}app/assets/icon.svg`, `${outdir}/icon.svg`);
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules')),
    'renderer/index.html',
    'app/assets/icon.svg',
  ];
  writeFileSync(`${outdir}/inputs.json`, `${JSON.stringify({ inputs }, null, 1)}\n`);
  const old = `${finalDir}.old-${process.pid}`;
  try {
    renameSync(finalDir, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  renameSync(outdir, finalDir);
  rmSync(old, { recursive: true, force: true });
  return { outdir: finalDir, inputs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { inputs } = await bundleUi();
  console.log(`ferry: bundled the UI from ${inputs.length} files into dist/ui/`);
}
