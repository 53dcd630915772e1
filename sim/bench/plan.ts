import type { Tier, Workload } from "./workloads.js";

/** What `npm run bench -- ...` asked for. */
export interface BenchArgs {
  list: boolean;
  help: boolean;
  full: boolean;
  /** Runs of each workload, in fresh processes, interleaved across workloads; medians are reported. */
  runs: number;
  /** Append the record to results/bench/history.jsonl. */
  record: boolean;
  /** Write a V8 CPU profile per run (node --cpu-prof) to results/bench/profiles/. */
  profile: boolean;
  names: string[];
  /** Internal: run this one workload in this process and print its result. */
  one: string | null;
}

export class BenchArgError extends Error {}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { list: false, help: false, full: false, runs: 1, record: false, profile: false, names: [], one: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--list") args.list = true;
    else if (a === "--help" || a === "-h") args.help = true;
    else if (a === "--full") args.full = true;
    else if (a === "--record") args.record = true;
    else if (a === "--profile") args.profile = true;
    else if (a === "--one") args.one = argv[++i] ?? "";
    else if (a === "--runs" || a.startsWith("--runs=")) {
      const v = a === "--runs" ? argv[++i] : a.slice("--runs=".length);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new BenchArgError(`--runs must be a whole number from 1 to 100, got ${JSON.stringify(v)}`);
      args.runs = n;
    } else if (a.startsWith("-")) throw new BenchArgError(`unknown option ${a}`);
    else args.names.push(a);
  }
  return args;
}

/** The workloads to run: the named ones in the order given, else the quick set, or quick and full with --full. */
export function selectWorkloads(all: readonly Workload[], args: BenchArgs): Workload[] {
  if (args.names.length > 0) {
    const unknown = args.names.filter((n) => !all.some((w) => w.name === n));
    if (unknown.length > 0) throw new BenchArgError(`unknown workload ${unknown.join(", ")}; npm run bench -- --list shows them`);
    return args.names.map((n) => all.find((w) => w.name === n)!);
  }
  const tiers: Tier[] = args.full ? ["quick", "full"] : ["quick"];
  return all.filter((w) => tiers.includes(w.tier));
}

/** One line per workload: name, tier, expected wall seconds, what it runs. */
export function describeWorkloads(workloads: readonly Workload[]): string {
  const width = Math.max(...workloads.map((w) => w.name.length));
  const lines = workloads.map((w) => `  ${w.name.padEnd(width)}  ${w.tier.padEnd(5)}  ~${formatSeconds(w.expectedSeconds).padStart(6)}  ${w.description}`);
  return lines.join("\n");
}

export function formatSeconds(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 6) / 10} min`;
}

/** The median of each numeric field over runs of one workload; other fields from the first run. */
export function medianResult(runs: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...runs[0] };
  for (const key of Object.keys(out)) {
    const values = runs.map((r) => r[key]);
    if (values.every((v): v is number => typeof v === "number")) out[key] = median(values);
  }
  return out;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
