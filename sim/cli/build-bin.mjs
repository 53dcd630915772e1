// Bundles the compiled CLI (dist/sim/cli/main.js) and its sweep worker into
// dist/bin/, the `peerlab` command. Run by `npm run build` after tsc.
//
// Why a bundle: started from dist/sim, every command first loads about 300
// ES modules one file at a time, over half a second of CPU before it does
// anything (most of `peerlab --version`). One file per entry halves that,
// which every command and every `--jobs` worker thread pays, and the test
// suite pays about a hundred times. The bundle is made from tsc's output,
// so it runs the same code as dist/sim.
//
// tinypool stays a package: it starts its workers from its own files.
// Bundled CommonJS packages (seedrandom, some of yargs) call require() for
// Node's modules, which an ES module lacks: the banner gives them one.
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "sim", "cli");
await build({
  // Same names, one folder: sweep-pool finds "./sweep-worker.js" beside the running file either way.
  entryPoints: [join(cli, "main.js"), join(cli, "sweep-worker.js")],
  outdir: join(root, "dist", "bin"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["tinypool"],
  banner: { js: "import { createRequire as __peerlabRequire } from 'node:module'; const require = __peerlabRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: "warning",
});
