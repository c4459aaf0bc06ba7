/**
 * Where the browser UI's built files are (dist/ui/, from app/build/bundle-ui.mjs), rebuilt
 * first when a UI source is newer than the build: `ferry sync --ui-port` never serves a stale
 * page after an edit, as `ferry` never runs a stale CLI bundle. In a packaged app the sources
 * are absent and the shipped build is used as it is.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

// From app/config/ and from the CLI bundle in dist/cli/ alike, the root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The directory holding index.html and the UI's assets, built or rebuilt if needed. */
export async function prepareUiFiles(root: string = ROOT): Promise<string> {
  const dir = `${root}dist/ui`;
  if (!(await isUiBuildFresh(root, dir))) {
    const { bundleUi } = (await import(pathToFileURL(`${root}app/build/bundle-ui.mjs`).href)) as {
      bundleUi: (options: { root: string }) => Promise<unknown>;
    };
    await bundleUi({ root });
  }
  return dir;
}

/** True when dist/ui has a build no older than each of its sources still present. */
async function isUiBuildFresh(root: string, dir: string): Promise<boolean> {
  try {
    const builtMs = (await stat(`${dir}/index.html`)).mtimeMs;
    const { inputs } = JSON.parse(await readFile(`${dir}/inputs.json`, 'utf8')) as {
      inputs: string[];
    };
    for (const input of inputs) {
      const sourceMs = await stat(`${root}${input}`).then(
        (info) => info.mtimeMs,
        () => 0,
      );
      if (sourceMs > builtMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}
