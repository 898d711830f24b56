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
  {
    // Layers: packages hold the domain and the foundations; a service is a process built on them, and
    // nothing builds on a service. The embedded default (services/embedded) is the composition root:
    // it alone starts the services in one process. Tests of a service import their own service.
    files: ['packages/**', 'bench/**', 'test/**', 'examples/**', 'services/api/**', 'services/matcher/**', 'services/hydra/**', 'services/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@qr/api', '@qr/api/*', '@qr/matcher', '@qr/matcher/*', '@qr/hydra', '@qr/hydra/*', '@qr/embedded', '@qr/embedded/*', '@qr/web', '@qr/web/*'], message: 'No package, bench, test or service imports a service: the domain is in packages/ (only services/embedded composes services).' },
            { group: ['**/services/*/src/**'], message: 'No reaching into a service by path.' },
          ],
        },
      ],
    },
  },
);
