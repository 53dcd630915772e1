// Loaded by each test worker (`execArgv` in test/vitest.config.ts) before
// any test: registers hooks.mjs, so test files and the simulator's sources
// are imported by Node itself rather than through Vite's module runner.
//
// Why: the suite is mostly whole simulations (every shipped scenario's
// fingerprint, the lessons, the fault timelines), and under Vite's runner
// every import becomes a property read on a module object; the same
// simulation ran about 20 % slower in a test than from the compiled CLI
// (flooding-basic: 10.3 CPU s against 8.2). Imported natively it runs at
// the compiled speed (8.8 CPU s, the rest being the once-per-worker
// transpile). Vitest supports this (`experimental.viteModuleRunner: false`);
// the tests use no `vi.mock`, which is what Vite's runner would be needed for.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
