import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** The compiled peerlab bin, as a user runs it (`npm test` builds first). */
export const PEERLAB_BIN = join(import.meta.dirname, "..", "..", "dist", "bin", "main.js");

/** Runs the peerlab command in folder `cwd` and returns its exit code and output. */
export function runPeerlab(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [PEERLAB_BIN, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
