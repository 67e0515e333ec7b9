import { defineConfig } from 'vitest/config';

// Three projects, run separately by scripts/test.sh:
//  unit   – pure logic and the console host against real SQLite files
//  server – the central server against PGlite and a real PostgreSQL
//  e2e    – the whole rig (Kamailio, server, host, Chromium) inside `unshare --net`
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/lint/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'server', include: ['tests/server/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false } },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false } },
    ],
  },
});
