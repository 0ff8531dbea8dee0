// Only the checks Biome cannot make: those that need the type checker. Everything else is Biome's.
import tseslint from 'typescript-eslint'

export default tseslint.config({
  files: ['**/*.ts'],
  ignores: ['dist/**', 'node_modules/**'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: {
    // A forgotten `await next()` or an unhandled reply would otherwise pass silently.
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
  },
})
