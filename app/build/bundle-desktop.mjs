// Bundles the desktop app's own code for Electron: the main process (main/src/index.ts →
// dist/main/index.mjs, ESM, electron and npm packages external) and the preload script
// (app/preload/preload.ts → dist/preload/preload.cjs: a sandboxed preload is one CommonJS file
// that may require only electron). The UI is dist/ui (bundle-ui.mjs), the engine child runs
// app/bin/ferry.mjs. Run by `npm run build`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const defaultRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function bundleDesktop({ root = defaultRoot } = {}) {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const workspaces = new Set(['sync-engine', 'server-mock']);
  const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => !workspaces.has(name))
    .flatMap((name) => [name, `${name}/*`]);
  await build({
    absWorkingDir: root,
    entryPoints: [`${root}main/src/index.ts`],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: `${root}dist/main/index.mjs`,
    external,
    logLevel: 'warning',
  });
  await build({
    absWorkingDir: root,
    entryPoints: [`${root}app/preload/preload.ts`],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: `${root}dist/preload/preload.cjs`,
    external: ['electron'],
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleDesktop();
  console.log('ferry: bundled the desktop main process and preload into dist/main, dist/preload');
}
