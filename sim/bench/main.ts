import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT, VERSION } from "../version.js";
import { benchBandwidth } from "./bandwidth.js";
import { benchChord } from "./chord.js";
import { benchFlooding } from "./flooding.js";
import { benchHold } from "./hold.js";
import { benchIpfs } from "./ipfs.js";
import { benchKademlia } from "./kademlia.js";

/**
 * `npm run bench`: each benchmark runs in a fresh Node process, so its peak
 * memory is its own. Results go to results/bench/latest.json, and one line
 * per run is appended to results/bench/history.jsonl (kept in git).
 *
 *   npm run bench                 all benchmarks, full size
 *   npm run bench -- --quick      a scaled-down version, to check the harness
 *   npm run bench -- hold         only the named benchmarks
 */
const BENCHES: Record<string, (quick: boolean) => object> = {
  hold: (quick) => benchHold(quick ? { events: 1_000_000 } : {}),
  flooding: (quick) => benchFlooding(quick ? { peers: 1_000, lookups: 2_000 } : {}),
  chord: (quick) => benchChord(quick ? { peers: 10_000, lookups: 20_000 } : {}),
  "chord-1m": (quick) => benchChord({ name: "chord-1m", peers: quick ? 100_000 : 1_000_000, lookups: quick ? 1_000 : 10_000 }),
  "chord-acks": (quick) => benchChord({ name: "chord-acks", hopAcks: true, ...(quick ? { peers: 10_000, lookups: 20_000 } : {}) }),
  kademlia: (quick) => benchKademlia(quick ? { peers: 10_000, lookups: 1_000 } : {}),
  "bandwidth-share": (quick) => benchBandwidth({ model: "share", ...(quick ? { peers: 1_000, transfers: 20_000 } : {}) }),
  "bandwidth-maxmin": (quick) => benchBandwidth({ model: "maxmin", ...(quick ? { peers: 1_000, transfers: 20_000 } : {}) }),
  "kademlia-10k": (quick) => benchKademlia({ name: "kademlia-10k", peers: 10_000, lookups: quick ? 10_000 : 100_000 }),
  ipfs: (quick) => benchIpfs(quick ? { peers: 1_000, retrievals: 10_000, files: 1_000 } : {}),
};

function runOne(name: string, quick: boolean): void {
  const result = BENCHES[name]!(quick);
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ...result, peakRssBytes }) + "\n");
}

function runAll(names: string[], quick: boolean): void {
  const self = fileURLToPath(import.meta.url);
  const results: object[] = [];
  for (const name of names) {
    process.stderr.write(`bench ${name}${quick ? " (quick)" : ""} ...\n`);
    const child = spawnSync(process.execPath, [self, "--one", name, ...(quick ? ["--quick"] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status})`);
    const result = JSON.parse(child.stdout.trim().split("\n").pop()!);
    process.stderr.write(`  ${JSON.stringify(result)}\n`);
    results.push(result);
  }
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: PACKAGE_ROOT, encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  // The wall-clock date only labels the benchmark record; benchmarks are not simulation output.
  const record = { date: new Date().toISOString(), peerlab: VERSION, commit, node: process.version, quick, results };
  const dir = join(PACKAGE_ROOT, "results", "bench");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify(record, null, 2) + "\n");
  if (!quick) appendFileSync(join(dir, "history.jsonl"), JSON.stringify(record) + "\n");
  process.stdout.write(`Wrote ${join("results", "bench", "latest.json")}${quick ? "" : " and appended to history.jsonl"}\n`);
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const one = args.indexOf("--one");
if (one >= 0) {
  runOne(args[one + 1]!, quick);
} else {
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`peerlab bench: unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}\n`);
    process.exit(2);
  }
  runAll(names.length ? names : Object.keys(BENCHES), quick);
}
