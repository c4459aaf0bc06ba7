/**
 * The window's footprint, in browser mode (issue 11): `npm run bench:ui [-- --json] [--scale S]`.
 *
 * Builds real data through real `ferry` processes and the real server: device A adds 10,000
 * small files (10,000 entries in the activity feed), device B syncs them, then both edit 1,000
 * of them while apart, so B records 1,000 conflicts. B then runs `ferry sync --ui-port 0` and
 * Debian's Chromium opens its window:
 * - `ui.first_paint`: from navigation to the status screen painted with the engine's status
 *   (goal: under 300 ms), first contentful paint, and how long the activity screen takes to show
 *   its first rows of the 10,000;
 * - `ui.scroll_conflicts`: the 1,000 conflicts scrolled from top to bottom a frame at a time,
 *   with every long task (over 50 ms) Chromium reports (goal: none), and the rows in the DOM;
 * - `ui.window_closed`: B's CPU over 10 s once the window is closed (goal: nothing beyond an
 *   idle engine; the browser UI keeps nothing alive in the engine when no page is open).
 * `--scale 0.1` shrinks the counts for a smoke run; goals are judged at scale 1.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../cli/e2e/chromium.fixture.js';
import { runFerry } from '../cli/e2e/ferry-process.fixture.js';
import { spawnFerryChild, type FerryChild } from './ferry-child.js';
import { cpuTimeMs } from './proc-stats.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    scale: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');
const FILES = Math.round(10_000 * scale);
const CONFLICTS = Math.round(1_000 * scale);
const PASSWORD = 'bench correct horse battery';

function report(figures: Record<string, unknown>): void {
  if (values.json) console.log(JSON.stringify(figures));
  else
    console.log(
      Object.entries(figures)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' '),
    );
}

async function waitForLine(child: FerryChild, pattern: RegExp): Promise<RegExpExecArray> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    for (const line of child.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${pattern}: ${child.stderr()}`);
}

/** How many conflicts the engine at `address` (`…/#token=…`) lists, through its control API. */
async function conflictCount(address: string): Promise<number> {
  const url = new URL(address);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const answer = await fetch(`${url.origin}/api/conflicts`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await answer.json()) as unknown[]).length;
}

const root = await mkdtemp(path.join(tmpdir(), 'ferry-ui-bench-'));
const env = { FERRY_PASSWORD: PASSWORD, HOME: path.join(root, 'os-home') };
const spawnOptions = { env, cwd: root };
const children: FerryChild[] = [];
try {
  await mkdir(env.HOME, { recursive: true });
  const server = await spawnFerryChild(
    ['server', '--data', path.join(root, 'server'), '--port', '0', '--log-level', 'silent'],
    spawnOptions,
  );
  children.push(server);
  const [, url] = await waitForLine(server, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const ferry = async (args: string[]) => {
    const run = await runFerry(args, spawnOptions);
    if (run.code !== 0) throw new Error(`ferry ${args.join(' ')}: ${run.code} ${run.stderr}`);
  };
  const home = (name: string) => path.join(root, `${name}-home`);
  const folder = (name: string) => path.join(root, name);
  await ferry([
    'signup',
    '--server',
    url!,
    '--email',
    'ui@bench.example',
    '--name',
    'Bench',
    '--device',
    'A',
    '--home',
    home('A'),
  ]);
  await ferry([
    'login',
    '--server',
    url!,
    '--email',
    'ui@bench.example',
    '--device',
    'B',
    '--home',
    home('B'),
  ]);
  const fileAt = (device: string, i: number) =>
    path.join(folder(device), `folder-${i % 100}`, `file-${i}.txt`);
  for (let f = 0; f < 100; f += 1)
    await mkdir(path.join(folder('A'), `folder-${f}`), { recursive: true });
  for (let i = 0; i < FILES; i += 1) await writeFile(fileAt('A', i), `file ${i}\n`);
  const prepStarted = Date.now();
  await ferry(['sync', '--once', '--folder', folder('A'), '--home', home('A')]);
  await ferry(['sync', '--once', '--folder', folder('B'), '--home', home('B')]);
  for (let i = 0; i < CONFLICTS; i += 1)
    await writeFile(fileAt('A', i), `file ${i}, edited on A\n`);
  await ferry(['sync', '--once', '--home', home('A')]);
  for (let i = 0; i < CONFLICTS; i += 1)
    await writeFile(fileAt('B', i), `file ${i}, edited on B\n`);
  await ferry(['sync', '--once', '--home', home('B')]);
  const prepSeconds = (Date.now() - prepStarted) / 1000;

  const b = await spawnFerryChild(
    ['sync', '--json', '--ui-port', '0', '--home', home('B')],
    spawnOptions,
  );
  children.push(b);
  for (let waited = 0; !b.events.some((e) => e.type === 'control'); waited += 50) {
    if (waited > 60_000) throw new Error(`no control address: ${b.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const address = String(b.events.find((e) => e.type === 'control')?.url);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    // Notes, in the page, when the status headline is first in the DOM and then painted.
    await context.addInitScript(`new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=status-headline]')) {
        window.__headlineMs = performance.now();
        requestAnimationFrame(() => setTimeout(() => (window.__paintedMs = performance.now())));
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });`);
    const page = await context.newPage();
    await page.goto(address);
    await page.getByTestId('status-headline').waitFor();
    await page.waitForFunction('window.__paintedMs !== undefined');
    const paint = (await page.evaluate(`(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        fcpMs: fcp ? Math.round(fcp.startTime) : null,
        headlineMs: Math.round(window.__headlineMs),
        paintedMs: Math.round(window.__paintedMs),
      };
    })()`)) as { fcpMs: number | null; headlineMs: number; paintedMs: number };
    const activityStart = Date.now();
    await page.getByRole('button', { name: /^Activity/ }).click();
    await page.getByRole('list', { name: 'Activity' }).getByRole('listitem').first().waitFor();
    const activityFirstRowsMs = Date.now() - activityStart;
    report({
      name: 'ui.first_paint',
      activityEntries: FILES,
      firstContentfulPaintMs: paint.fcpMs,
      statusInDomMs: paint.headlineMs,
      statusPaintedMs: paint.paintedMs,
      activityFirstRowsMs,
      goal: 'status screen painted in under 300 ms with 10,000 activity entries',
      met: scale === 1 ? paint.paintedMs < 300 : undefined,
    });

    await page.getByRole('button', { name: /^Conflicts/ }).click();
    const list = page.getByRole('list', { name: 'Conflicts' });
    await list.getByRole('listitem').first().waitFor({ timeout: 60_000 });
    const scroll = (await page.evaluate(`(async () => {
      const tasks = [];
      const observer = new PerformanceObserver((entries) => {
        for (const entry of entries.getEntries()) tasks.push(entry.duration);
      });
      observer.observe({ type: 'longtask', buffered: false });
      const box = document.querySelector('[aria-label="Conflicts"][role="list"]');
      const started = performance.now();
      let frames = 0;
      let maxRows = 0;
      while (box.scrollTop + box.clientHeight < box.scrollHeight - 1) {
        box.scrollTop += 240;
        await new Promise((resolve) => requestAnimationFrame(() => resolve()));
        frames += 1;
        maxRows = Math.max(maxRows, box.querySelectorAll('[role="listitem"]').length);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      observer.disconnect();
      return {
        frames,
        seconds: (performance.now() - started) / 1000,
        longTasks: tasks.length,
        maxLongTaskMs: tasks.length ? Math.round(Math.max(...tasks)) : 0,
        maxRowsInDom: maxRows,
      };
    })()`)) as Record<string, number>;
    report({
      name: 'ui.scroll_conflicts',
      conflicts: await conflictCount(address),
      ...scroll,
      goal: 'no long task over 50 ms while scrolling 1,000 conflicts',
      met: scale === 1 ? scroll.longTasks === 0 : undefined,
    });

    await context.close();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await cpuTimeMs(b.pid);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const used = (await cpuTimeMs(b.pid)) - before;
    report({
      name: 'ui.window_closed',
      seconds: 10,
      cpuPctB: Math.round((used / 10_000) * 10_000) / 100,
      goal: 'no cost beyond an idle engine once the window is closed',
    });
  } finally {
    await browser.close();
  }
  report({ name: 'ui.preparation', files: FILES, conflicts: CONFLICTS, prepSeconds });
} finally {
  await Promise.all(children.map((child) => child.stop()));
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
