// Lint, including the layer rules of STYLE.md section 2, enforced per folder with
// no-restricted-imports so that a forbidden import fails `npm test`, not review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layerRuleConfigs } from './lint/layer-rules.js';

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
  ...layerRuleConfigs(),
  {
    // The metadata store's statements are awaited inside transactions: a promise left floating
    // there would run after COMMIT. Type-aware, so only where it matters (it costs seconds).
    files: ['server-mock/src/metadata/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.contract.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
