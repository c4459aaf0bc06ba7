// Lint, including the layer rules of STYLE.md section 2, enforced per folder with
// no-restricted-imports so that a forbidden import fails `npm test`, not review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const otherFolders = (...names) => names.map((n) => `**/${n}/**`);

/** Imports each folder may not make (STYLE.md section 2). */
const layerRules = [
  {
    files: ['sync-engine/**/*.ts'],
    patterns: [
      {
        group: otherFolders('server-mock', 'main', 'renderer', 'app'),
        message: 'sync-engine imports nothing from the other folders',
      },
      { group: ['electron'], message: 'sync-engine never imports electron' },
    ],
  },
  {
    files: ['sync-engine/src/protocol/**/*.ts', 'sync-engine/src/control/contract.ts'],
    patterns: [
      { group: ['node:*'], message: 'protocol and the control contract are pure: no node modules' },
      { group: ['electron'], message: 'sync-engine never imports electron' },
    ],
  },
  {
    files: ['server-mock/**/*.ts'],
    patterns: [
      {
        group: otherFolders('main', 'renderer', 'app'),
        message: 'server-mock imports only sync-engine protocol and blocks',
      },
      {
        group: [
          '**/sync-engine/src/*',
          '!**/sync-engine/src/protocol',
          '!**/sync-engine/src/protocol/index.js',
          '!**/sync-engine/src/blocks',
          '!**/sync-engine/src/blocks/index.js',
          '!**/sync-engine/src/index.js',
        ],
        message: 'server-mock imports only sync-engine protocol/ and blocks/ entry files',
      },
      { group: ['electron'], message: 'the server never imports electron' },
    ],
  },
  {
    files: ['renderer/**/*.ts'],
    patterns: [
      { group: ['node:*', 'electron'], message: 'the renderer is DOM only' },
      {
        group: otherFolders('server-mock', 'main', 'app'),
        message: 'the renderer imports only types from the control contract',
      },
    ],
  },
  {
    files: ['main/**/*.ts'],
    patterns: [
      { group: otherFolders('renderer', 'server-mock'), message: 'main never imports renderer' },
    ],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bench-tmp/**', '.ferry-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  ...layerRules.map(({ files, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  { files: ['renderer/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
);
