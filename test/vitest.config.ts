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
  },
});
