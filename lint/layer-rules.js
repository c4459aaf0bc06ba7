// The layer rules of STYLE.md section 2 as ESLint `no-restricted-imports` zones. ESLint gives a
// file the options of the last config object that matches it (they do not merge), so each zone
// below lists every pattern that applies to its files. Patterns are regular expressions over the
// import specifier.
//
// sync-engine and server-mock are npm workspaces whose `exports` maps name their entry files
// (`sync-engine`, `sync-engine/protocol`, `sync-engine/blocks`, `sync-engine/testkit`,
// `server-mock`), so a deep import of another folder cannot even resolve; a relative path into
// another folder is refused here, and each zone says which of the entries it may use.

const TESTS = ['**/*.test.ts', '**/*.e2e.test.ts', '**/*.contract.ts', '**/*.fixture.ts'];
const ENGINE_HARNESS = ['sync-engine/src/testkit/**', 'sync-engine/bench/**'];
const SERVER_HARNESS = ['server-mock/test/**', 'server-mock/bench/**'];

const noElectron = (who) => ({ regex: '^electron(/|$)', message: `${who} never imports electron` });
/** Another top-level folder, by package name or (always refused) by a relative path. */
const folders = (names, message) => ({
  regex: `^(${names.join('|')})(/|$)|^(\\.\\./)+(${names.join('|')})/`,
  message,
});
/** Only the listed entries of a workspace package; `''` is the package itself. */
const onlyEntries = (pkg, entries, message) => ({
  regex: `^${pkg}(?!${entries.map((e) => (e === '' ? '$' : `/${e}$`)).join('|')})(/|$)|^(\\.\\./)+${pkg}/`,
  message,
});

/** Product code never imports test harness (STYLE.md section 1: testkit/, server-mock/test/). */
const noHarness = {
  regex: '(^|/)(testkit|test)(/|$)|^(vitest|fast-check)(/|$)',
  message: 'product code never imports test harness (testkit/, server-mock/test/, vitest)',
};

const engineImportsNoOtherFolder = folders(
  ['server-mock', 'main', 'renderer', 'app'],
  'sync-engine imports nothing from the other folders',
);
/** Engine tests start the real server through its entry, and may use its test harness. */
const engineTestsImportServerEntry = onlyEntries(
  'server-mock',
  [''],
  'engine tests reach the server only through its entry, server-mock (startServer)',
);
const engineTestsImportNoOtherFolder = folders(
  ['main', 'renderer', 'app'],
  'sync-engine imports nothing from the other folders',
);

const serverImportsEngineEntries = (entries) =>
  onlyEntries(
    'sync-engine',
    entries,
    `server-mock imports only the engine's ${entries.join('/, ')}/ entry files`,
  );

/** Each zone: files (and ignores) with every pattern that applies to them. */
export const LAYER_ZONES = [
  {
    name: 'engine product code',
    files: ['sync-engine/**/*.ts'],
    ignores: [...TESTS, ...ENGINE_HARNESS],
    patterns: [engineImportsNoOtherFolder, noElectron('sync-engine'), noHarness],
  },
  {
    name: 'engine tests and harness',
    files: [...TESTS.map((t) => `sync-engine/${t}`), ...ENGINE_HARNESS],
    patterns: [
      engineTestsImportServerEntry,
      engineTestsImportNoOtherFolder,
      noElectron('sync-engine'),
    ],
  },
  {
    name: 'protocol (pure)',
    files: ['sync-engine/src/protocol/**/*.ts'],
    ignores: TESTS,
    patterns: [
      {
        regex: '^(?!\\./)',
        message: 'protocol/ is pure: it imports nothing outside itself (no node:, no packages)',
      },
    ],
  },
  {
    name: 'control contract (pure)',
    files: ['sync-engine/src/control/contract.ts', 'sync-engine/src/control/bridge-client.ts'],
    patterns: [
      {
        regex: '^(?!\\./|\\.\\./protocol/index\\.js$)',
        message:
          'control/contract.ts and bridge-client.ts are pure: they import only ../protocol/index.js',
      },
    ],
  },
  {
    name: 'planner (pure)',
    files: ['sync-engine/src/plan/**/*.ts'],
    ignores: TESTS,
    patterns: [
      engineImportsNoOtherFolder,
      noElectron('sync-engine'),
      noHarness,
      {
        regex: '(^|/)(state|remote|execute|loop|watch|scan)(/|$)|^node:|^(got|better-sqlite3)$',
        message:
          'plan/ is pure: no state, remote, node:*, got or better-sqlite3 (no I/O, no clock)',
      },
    ],
  },
  {
    name: 'server product code',
    files: ['server-mock/**/*.ts'],
    ignores: [...TESTS, ...SERVER_HARNESS],
    patterns: [
      folders(
        ['main', 'renderer', 'app'],
        'server-mock imports only the engine, never main/renderer/app',
      ),
      serverImportsEngineEntries(['protocol', 'blocks']),
      noElectron('the server'),
      noHarness,
    ],
  },
  {
    name: 'server tests and harness',
    files: [...TESTS.map((t) => `server-mock/${t}`), ...SERVER_HARNESS],
    patterns: [
      folders(
        ['main', 'renderer', 'app'],
        'server-mock imports only the engine, never main/renderer/app',
      ),
      serverImportsEngineEntries(['protocol', 'blocks', 'testkit']),
      noElectron('the server'),
    ],
  },
  {
    name: 'app (CLI, config, preload)',
    files: ['app/**/*.ts'],
    patterns: [
      onlyEntries(
        'sync-engine',
        ['', 'protocol', 'control', 'control-client'],
        'app imports only the entry files of sync-engine (sync-engine, /protocol, /control, /control-client)',
      ),
      onlyEntries('server-mock', [''], 'app imports only the server entry, server-mock'),
      folders(['renderer', 'main'], 'app never imports renderer or main'),
    ],
  },
  {
    name: 'renderer (DOM only)',
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    patterns: [
      { regex: '^(node:|electron(/|$))', message: 'the renderer is DOM only' },
      folders(
        ['server-mock', 'main', 'app'],
        'the renderer imports only types from the control contract',
      ),
      onlyEntries(
        'sync-engine',
        ['control', 'control-client'],
        'the renderer imports only types from the control contract',
      ),
    ],
  },
  {
    name: 'Electron main (thin)',
    files: ['main/**/*.ts'],
    patterns: [
      folders(['renderer', 'server-mock'], 'main never imports renderer or the server'),
      onlyEntries(
        'sync-engine',
        ['', 'protocol', 'control', 'control-client'],
        'main imports only the engine entry files, never its internals',
      ),
      {
        regex: '^(\\.\\./)+app/(?!config/)',
        message: 'main imports app/config only (nothing imports app/cli)',
      },
    ],
  },
];

/**
 * The renderer's screens and state import only types from the contract (STYLE.md section 2.4);
 * its bridges (src/bridge/) also read the contract's route table and ControlError, which are
 * pure values, so that no route is written twice.
 */
const rendererTypeOnly = {
  files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
  ignores: ['renderer/src/bridge/**'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [
          {
            name: 'sync-engine/control',
            allowTypeImports: true,
            message: 'outside src/bridge/ the renderer imports only types from the contract',
          },
          {
            name: 'sync-engine/control-client',
            message: 'only src/bridge/ carries requests to the engine',
          },
        ],
      },
    ],
  },
};

/** The zones as flat-config objects. */
export function layerRuleConfigs() {
  return [
    ...LAYER_ZONES.map(({ files, ignores, patterns }) => ({
      files,
      ...(ignores ? { ignores } : {}),
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    })),
    rendererTypeOnly,
  ];
}
