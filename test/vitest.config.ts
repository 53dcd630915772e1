import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Lives in test/ because the project's top level is fixed; `npm test` points at it.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/**/*.test.ts"],
    // Whole simulations run in some tests; they take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker fewer than the cores, which on a 2-core machine runs every file
    // one after another. The tests are CPU-bound simulations and child processes, not a UI to keep
    // responsive: use every core.
    maxWorkers: availableParallelism(),
  },
});
