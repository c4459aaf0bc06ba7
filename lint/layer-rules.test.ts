import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file `filePath`. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.endsWith('no-restricted-imports'))
    .map((m) => m.message);
}

// Each row: a file, an import it may not make (with the words of the refusal), and one it may.
const cases: Array<{ file: string; refused: string; because: string; allowed: string }> = [
  {
    file: 'sync-engine/src/state/fixture.ts',
    refused: "import 'server-mock';",
    because: 'sync-engine imports nothing from the other folders',
    allowed: "import '../protocol/index.js';",
  },
  {
    file: 'sync-engine/src/state/fixture.ts',
    refused: "import '../../../server-mock/src/index.js';",
    because: 'sync-engine imports nothing from the other folders',
    allowed: "import '../blocks/index.js';",
  },
  {
    file: 'sync-engine/src/blocks/fixture.ts',
    refused: "import 'electron';",
    because: 'never imports electron',
    allowed: "import 'node:crypto';",
  },
  {
    file: 'sync-engine/src/state/fixture.ts',
    refused: "import { useTempDir } from '../testkit/index.js';",
    because: 'product code never imports test harness',
    allowed: "import '../blocks/index.js';",
  },
  {
    file: 'sync-engine/src/protocol/fixture.ts',
    refused: "import '../blocks/index.js';",
    because: 'protocol/ is pure',
    allowed: "import './ids.js';",
  },
  {
    file: 'sync-engine/src/protocol/fixture.ts',
    refused: "import 'node:crypto';",
    because: 'protocol/ is pure',
    allowed: "import './paths.js';",
  },
  {
    file: 'sync-engine/src/plan/fixture.ts',
    refused: "import '../state/index.js';",
    because: 'plan/ is pure',
    allowed: "import '../protocol/index.js';",
  },
  {
    file: 'sync-engine/src/plan/fixture.ts',
    refused: "import 'got';",
    because: 'plan/ is pure',
    allowed: "import './rules.js';",
  },
  {
    file: 'sync-engine/src/plan/fixture.ts',
    refused: "import 'node:fs';",
    because: 'plan/ is pure',
    allowed: "import '../protocol/index.js';",
  },
  {
    file: 'sync-engine/src/plan/fixture.ts',
    refused: "import 'better-sqlite3';",
    because: 'plan/ is pure',
    allowed: "import './rules.js';",
  },
  {
    file: 'sync-engine/src/control/contract.ts',
    refused: "import '../state/index.js';",
    because: 'control/contract.ts and bridge-client.ts are pure',
    allowed: "import '../protocol/index.js';",
  },
  {
    file: 'sync-engine/src/engine.e2e.test.ts',
    refused: "import '../../server-mock/src/http/build-app.js';",
    because: 'engine tests reach the server only through its entry',
    allowed: "import 'server-mock';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import 'sync-engine';",
    because: "server-mock imports only the engine's protocol/, blocks/ entry files",
    allowed: "import 'sync-engine/protocol';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import '../../../sync-engine/src/blocks/codec-pool.js';",
    because: "server-mock imports only the engine's protocol/, blocks/ entry files",
    allowed: "import 'sync-engine/blocks';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import 'sync-engine/src/state/index.js';",
    because: "server-mock imports only the engine's protocol/, blocks/ entry files",
    allowed: "import '../errors.js';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import { startTestServer } from '../../test/test-server.js';",
    because: 'product code never imports test harness',
    allowed: "import '../server-context.js';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import { seededBytes } from 'sync-engine/testkit';",
    because: "server-mock imports only the engine's protocol/, blocks/ entry files",
    allowed: "import 'fastify';",
  },
  {
    file: 'server-mock/src/http/fixture.ts',
    refused: "import { it } from 'vitest';",
    because: 'product code never imports test harness',
    allowed: "import 'fastify';",
  },
  {
    file: 'server-mock/test/fixture.ts',
    refused: "import 'sync-engine';",
    because: "server-mock imports only the engine's protocol/, blocks/, testkit/ entry files",
    allowed: "import 'sync-engine/testkit';",
  },
  {
    file: 'app/cli/fixture.ts',
    refused: "import 'sync-engine/blocks';",
    because: 'app imports only the entry files of sync-engine',
    allowed: "import 'sync-engine';",
  },
  {
    file: 'app/cli/fixture.ts',
    refused: "import '../../server-mock/src/http/build-app.js';",
    because: 'app imports only the server entry',
    allowed: "import 'server-mock';",
  },
  {
    file: 'renderer/src/fixture.ts',
    refused: "import 'node:fs';",
    because: 'the renderer is DOM only',
    allowed: "import './view.js';",
  },
  {
    file: 'renderer/src/fixture.ts',
    refused: "import 'sync-engine';",
    because: 'the renderer imports only types from the control contract',
    allowed: "import type {} from 'sync-engine/control';",
  },
  {
    file: 'renderer/src/features/status/fixture.tsx',
    refused: "import { CONTROL_ROUTES } from 'sync-engine/control';",
    because: 'outside src/bridge/ the renderer imports only types from the contract',
    allowed: "import type { EngineStatus } from 'sync-engine/control';",
  },
  {
    file: 'renderer/src/bridge/fixture.ts',
    refused: "import 'sync-engine/protocol';",
    because: 'the renderer imports only types from the control contract',
    allowed: "import { CONTROL_ROUTES } from 'sync-engine/control';",
  },
  {
    file: 'main/src/fixture.ts',
    refused: "import '../../renderer/src/app.js';",
    because: 'main never imports renderer',
    allowed: "import 'sync-engine';",
  },
  {
    file: 'main/src/fixture.ts',
    refused: "import 'sync-engine/blocks';",
    because: 'main imports only the engine entry files',
    allowed: "import '../../app/config/index.js';",
  },
  {
    file: 'main/src/fixture.ts',
    refused: "import '../../app/cli/index.js';",
    because: 'nothing imports app/cli',
    allowed: "import '../../app/config/index.js';",
  },
];

describe('layer rules (STYLE.md section 2)', () => {
  it.each(cases)('$file: refuses $refused', async ({ file, refused, because, allowed }) => {
    const errors = await importErrors(file, refused);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(because);
    expect(await importErrors(file, allowed)).toEqual([]);
  });
});

describe('the import cycle check', () => {
  const run = promisify(execFile);
  const check = (folder: string) =>
    run('npx', ['--no-install', 'dpdm', ...CYCLE_CHECK_FLAGS, `${folder}/**/*.ts`], { cwd: root });

  it('fails on a type-only cycle', async () => {
    await expect(check('lint/fixtures/cycle')).rejects.toMatchObject({ code: 1 });
  });

  it('passes on the product folders', async () => {
    await expect(check('sync-engine/src/blocks')).resolves.toBeDefined();
  });
});

/** The flags `npm run lint:cycles` passes to dpdm (kept in step with package.json). */
const CYCLE_CHECK_FLAGS = ['--no-tree', '--no-warning', '--exit-code', 'circular:1', '-T', 'false'];
