import { defineConfig } from 'vitest/config'

// `kms-bench` imports (scenarios) resolve to src/index.ts in the repository, as under bin/kms-bench.mjs.
const conditions = ['kms-bench-source', 'node', 'import', 'default']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['kms-bench-source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scenarios/**/*.test.ts', 'bench/**/*.test.ts'],
    // Shared 2-core CI machines: keep workers few and give server/subprocess tests room.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
