import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { LongestFirst } from "./longest-first.js";

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
    // One worker process runs many test files in turn instead of a fresh process (and a fresh
    // import of the whole simulator) per file: about 90 CPU s of the suite's ~590 went to that.
    // Tests therefore must not leave global state behind: spies are restored after each test,
    // and a test that registers a plug-in overlay must not assume the registry holds only the
    // built-in ones.
    isolate: false,
    restoreMocks: true,
    // Longest files first, by measured costs (longest-first.ts): a fresh clone has no timing cache.
    sequence: { sequencer: LongestFirst },
    // Test files and sources are imported by Node, transpiled by esbuild as they load, not run
    // through Vite's module runner: simulations run about 20 % faster (loader/register.mjs).
    execArgv: ["--enable-source-maps", "--import", fileURLToPath(new URL("./loader/register.mjs", import.meta.url))],
    experimental: { viteModuleRunner: false, nodeLoader: false },
  },
});
