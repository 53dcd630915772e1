// Bundles the CLI (sim/cli/main.ts) and its sweep worker into dist/bin/, the
// `peerlab` command. Run by `npm run build`, and by `npm test` before the
// tests (test/pretest.mjs), which need the command but not the rest of tsc's
// output.
//
// Why a bundle: started from dist/sim, every command first loads about 300
// ES modules one file at a time, over half a second of CPU before it does
// anything (most of `peerlab --version`). One file per entry halves that,
// which every command and every `--jobs` worker thread pays, and the test
// suite pays about a hundred times.
//
// The bundle is made from the TypeScript sources, transpiled by esbuild
// (which reads tsconfig.json, as the tests' loader does), not from tsc's
// output: it takes about a second, where tsc takes about fifteen, and does
// not wait for the type-check, which `npm run build` and the test suite's
// test/typecheck.test.ts run on their own.
//
// tinypool stays a package: it starts its workers from its own files.
// Bundled CommonJS packages (seedrandom, some of yargs) call require() for
// Node's modules, which an ES module lacks: the banner gives them one.
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "sim", "cli");
await build({
  // Same names, one folder: sweep-pool finds "./sweep-worker.js" beside the running file either way.
  entryPoints: [join(cli, "main.ts"), join(cli, "sweep-worker.ts")],
  outdir: join(root, "dist", "bin"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["tinypool"],
  banner: { js: "import { createRequire as __peerlabRequire } from 'node:module'; const require = __peerlabRequire(import.meta.url);" },
  sourcemap: true,
  tsconfig: join(root, "tsconfig.json"),
  logLevel: "warning",
});
