import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run on source: resolve @vigil/* through their "@vigil/source" export condition.
export default defineConfig({
  ssr: { resolve: { conditions: ['@vigil/source', ...defaultServerConditions] } },
  test: { include: ['src/**/*.spec.ts'], testTimeout: 60_000, passWithNoTests: false },
});
