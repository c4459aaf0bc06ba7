// Bundles the `ferry` command into dist/cli/ (`npm run build`; `npm ci` runs it as `prepare`).
// From source, every start has tsx transform and load a few hundred TypeScript modules: about
// 2 s before Ferry does anything, on every `ferry` run. The bundle starts in well under half of
// that. app/bin/ferry.mjs uses it only while it is newer than every file it was built from, so an
// edited source is never run stale. npm packages stay external (native better-sqlite3 among them).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = `${root}dist/cli`;
const workspaces = new Set(['sync-engine', 'server-mock']);
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !workspaces.has(name))
  .flatMap((name) => [name, `${name}/*`]);

// The block codec's worker evaluates one script; from source it is bundled at run time
// (codec-worker-code.ts), here once, into the CLI bundle.
const worker = await build({
  entryPoints: [`${root}sync-engine/src/blocks/codec-worker.ts`],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

const result = await build({
  entryPoints: { ferry: `${root}app/cli/index.ts` },
  bundle: true,
  // Separate chunks keep `await import('server-mock')` lazy: `ferry sync` never loads the server.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  external,
  define: { FERRY_BUNDLED_CODEC_WORKER: JSON.stringify(worker.outputFiles[0].text) },
  metafile: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs).filter(
  (input) => !input.includes('node_modules'),
);
writeFileSync(`${outdir}/inputs.json`, `${JSON.stringify({ inputs }, null, 1)}\n`);
console.log(`ferry: bundled ${inputs.length} modules into dist/cli/`);
