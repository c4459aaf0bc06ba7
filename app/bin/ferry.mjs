#!/usr/bin/env node
// The `ferry` command. Ferry is written in TypeScript. `npm ci` bundles it into dist/cli/
// (app/build/bundle-cli.mjs), which starts in a fraction of the time; while that bundle is
// missing or older than any file it was built from (an edited source), Ferry runs from source
// through tsx's loader, so `npx ferry …` always runs the code as it is. FERRY_FROM_SOURCE=1
// forces the source; FERRY_PACKAGED=1 (the desktop app's engine child, whose package holds no
// sources) forces the bundle.
import { isBundleFresh } from './fresh-bundle.mjs';

const root = new URL('../../', import.meta.url);
let runCli;
const packaged = process.env.FERRY_PACKAGED === '1';
if (packaged || (process.env.FERRY_FROM_SOURCE !== '1' && isBundleFresh(root))) {
  ({ runCli } = await import(new URL('dist/cli/ferry.mjs', root).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../cli/index.ts'));
}
process.exitCode = await runCli(process.argv);
