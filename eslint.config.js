// One lint config for every workspace; import cycles are rejected by `madge --circular` in `npm run lint`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only a service config.ts reads process.env.' },
      ],
    },
  },
  {
    files: ['**/config.ts', '**/test/**', 'test/**', '**/*.test.ts', 'bench/**', 'examples/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
