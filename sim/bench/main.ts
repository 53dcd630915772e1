import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT, VERSION } from "../version.js";
import { BenchArgError, describeWorkloads, formatSeconds, medianResult, parseBenchArgs, selectWorkloads, type BenchArgs } from "./plan.js";
import { findWorkload, WORKLOADS, type Workload } from "./workloads.js";

const USAGE = `npm run bench [-- options] [workload ...]

  (no arguments)   the quick set (about two minutes)
  --full           the quick and the full set (many minutes)
  <name> ...       only the named workloads (any tier, "large" ones included)
  --list           list the workloads with their expected durations, run nothing
  --runs N         run each workload N times (fresh processes, interleaved) and report medians
  --record         also append the record to results/bench/history.jsonl (tracked in git)
  --profile        write a V8 CPU profile of each run to results/bench/profiles/

Every run is a fresh Node process (so peak RSS is its own), started with --expose-gc to measure
live bytes per peer. Results go to results/bench/latest.json (not tracked). Compare CPU seconds
(loopCpuSeconds, eventsPerCpuSecond) when the machine is shared.`;

/** Runs one workload in this process and prints its result as the last line of stdout. */
function runOne(workload: Workload): void {
  const result = workload.run();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ...result, peakRssBytes }) + "\n");
}

function spawnOne(name: string, profile: boolean, run: number): Record<string, unknown> {
  const self = fileURLToPath(import.meta.url);
  const flags = ["--expose-gc"];
  if (profile) {
    const dir = join(PACKAGE_ROOT, "results", "bench", "profiles");
    mkdirSync(dir, { recursive: true });
    flags.push("--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${run + 1}.cpuprofile`);
  }
  const child = spawnSync(process.execPath, [...flags, self, "--one", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
  return JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

function runSet(workloads: Workload[], args: BenchArgs): void {
  const expected = workloads.reduce((s, w) => s + w.expectedSeconds, 0) * args.runs;
  process.stderr.write(`Running ${workloads.length} workload(s) × ${args.runs}, about ${formatSeconds(expected)} on a quiet machine:\n`);
  process.stderr.write(describeWorkloads(workloads) + "\n");
  const runs = new Map<string, Record<string, unknown>[]>(workloads.map((w) => [w.name, []]));
  // Interleaved (every workload once, then again), so a busy spell on a shared machine spreads over all of them.
  for (let run = 0; run < args.runs; run++) {
    for (const w of workloads) {
      process.stderr.write(`bench ${w.name}${args.runs > 1 ? ` (run ${run + 1}/${args.runs})` : ""} ...\n`);
      const result = spawnOne(w.name, args.profile, run);
      process.stderr.write(`  ${headline(result)}\n`);
      runs.get(w.name)!.push(result);
    }
  }
  const results = workloads.map((w) => ({ ...medianResult(runs.get(w.name)!), runs: args.runs }));
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: PACKAGE_ROOT, encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  // The wall-clock date only labels the benchmark record; benchmarks are not simulation output.
  const record = { date: new Date().toISOString(), peerlab: VERSION, commit, node: process.version, runs: args.runs, results, allRuns: Object.fromEntries(runs) };
  const dir = join(PACKAGE_ROOT, "results", "bench");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify(record, null, 2) + "\n");
  if (args.record) appendFileSync(join(dir, "history.jsonl"), JSON.stringify({ ...record, allRuns: undefined }) + "\n");
  process.stdout.write(table(results) + "\n");
  process.stdout.write(`Wrote results/bench/latest.json${args.record ? " and appended to results/bench/history.jsonl" : " (--record to append to history.jsonl)"}\n`);
}

/** The numbers to compare, in one line. */
function headline(r: Record<string, unknown>): string {
  const mb = (b: unknown) => (typeof b === "number" ? `${Math.round(b / 1e6)} MB` : "-");
  return `${r.events} events, loop ${r.loopSeconds} s (${r.loopCpuSeconds} CPU s), ${fmtRate(r.eventsPerCpuSecond)} ev/CPU s, setup ${r.setupSeconds} s (${r.setupCpuSeconds} CPU s), peak RSS ${mb(r.peakRssBytes)}, ${r.bytesPerPeer ?? "-"} B/peer`;
}

function fmtRate(x: unknown): string {
  return typeof x === "number" ? `${(x / 1e6).toFixed(2)} M` : "-";
}

function table(results: Record<string, unknown>[]): string {
  const head = ["workload", "events", "setup CPU s", "loop CPU s", "M ev/CPU s", "loop wall s", "peak RSS MB", "B/peer"];
  const rows = results.map((r) => [
    String(r.name),
    String(r.events),
    String(r.setupCpuSeconds),
    String(r.loopCpuSeconds),
    typeof r.eventsPerCpuSecond === "number" ? (r.eventsPerCpuSecond / 1e6).toFixed(2) : "-",
    String(r.loopSeconds),
    typeof r.peakRssBytes === "number" ? String(Math.round(r.peakRssBytes / 1e6)) : "-",
    r.bytesPerPeer === null || r.bytesPerPeer === undefined ? "-" : String(r.bytesPerPeer),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}

function main(): void {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
    if (args.one !== null) {
      const w = findWorkload(args.one);
      if (!w) throw new BenchArgError(`unknown workload ${args.one}`);
      runOne(w);
      return;
    }
    if (args.help) {
      process.stdout.write(USAGE + "\n");
      return;
    }
    if (args.list) {
      process.stdout.write(`Workloads (expected wall time of one run, quiet machine):\n${describeWorkloads(WORKLOADS)}\n`);
      return;
    }
    runSet(selectWorkloads(WORKLOADS, args), args);
  } catch (e) {
    if (e instanceof BenchArgError) {
      process.stderr.write(`peerlab bench: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw e;
  }
}

main();
