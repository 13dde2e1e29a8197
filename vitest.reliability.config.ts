import { defineConfig } from 'vitest/config';

/** The reliability and security suite: whole-stack scenarios with figures (issue 10). */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/reliability/report-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    env: { TZ: 'Europe/Amsterdam', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
