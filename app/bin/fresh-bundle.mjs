// Whether dist/cli/ferry.mjs (app/build/bundle-cli.mjs) may run: it exists and is newer than
// every file it was built from (dist/cli/inputs.json), so an edited source is never run stale.
import { readFileSync, statSync } from 'node:fs';

/** `root`: the repository's root as a file URL ending in `/`. */
export function isBundleFresh(root) {
  try {
    const builtMs = statSync(new URL('dist/cli/ferry.mjs', root)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return (
      Array.isArray(inputs) &&
      inputs.length > 0 &&
      inputs.every((input) => statSync(new URL(input, root)).mtimeMs <= builtMs)
    );
  } catch {
    return false;
  }
}
