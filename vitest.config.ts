import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scans everything each test file's bots logged and sent to Slack for the test tokens.
    setupFiles: ['test/helpers/leak-scan.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    // Two cores: run files in parallel but keep the fakes' ports and timing predictable.
    maxWorkers: 2,
  },
});
