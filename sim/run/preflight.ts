import type { Scenario } from "../scenario/schema.js";

/**
 * A pre-flight estimate of what a run will cost, from the scenario alone:
 * events, memory and (given the engine's speed) wall time, each term tied to
 * the field that drives it, so a run that can never finish is refused before
 * it starts and the user is told which field to change. The estimate is an
 * order of magnitude, not a prediction: each term counts the events or bytes
 * its component creates at most, with constants measured on the shipped
 * scenarios (docs/architecture.md).
 */

export interface CostTerm {
  /** The field that drives this term, as a scenario path ("workload.lookups.rate"). */
  field: string;
  /** What it is, for messages: "lookups × messages each". */
  what: string;
  /** Which way to change the field to make the run cheaper. */
  cheaper: "smaller" | "longer";
  events: number;
  bytes: number;
}

export interface Estimate {
  events: number;
  bytes: number;
  terms: CostTerm[];
}

/** Memory every run needs whatever its size: the engine, the overlay's code paths, result strings. */
const BASE_BYTES = 64 * 2 ** 20;
/** Per peer: population, network, bootstrap, overlay tables (typed arrays; Kademlia's buckets are the largest). */
const PEER_BYTES: Record<string, number> = { unstructured: 4_000, hybrid: 3_000, chord: 6_000, kademlia: 16_000 };
/** Per lookup: its row in the lookup table (typed arrays) and its share of the recorder. */
const LOOKUP_BYTES = 64;
/** Per time-series row, as objects before they are written. */
const ROW_BYTES = 1_500;
/** Per traced message in traces.json (an object, then its JSON). */
const TRACED_MESSAGE_BYTES = 200;
/** Events per maintenance round of one peer: a request, its reply, a timer, and the work they trigger. */
const EVENTS_PER_ROUND = 4;

export function estimateRun(scenario: Scenario): Estimate {
  const terms: CostTerm[] = [];
  const durationMs = scenario.duration;
  const measuredMs = Math.max(0, durationMs - scenario.metrics.warmup);
  const peers = poolSize(scenario);
  const overlay = scenario.overlay as { type: string } & Record<string, unknown>;

  // With short sessions and long offline times the pool of peers is far larger than peers.count: the sessions drive it then.
  const poolDriver = peers > 4 * scenario.peers.count && scenario.churn.model === "sessions" ? "churn.session" : "peers.count";
  terms.push({ field: poolDriver, what: poolDriver === "peers.count" ? "peers" : "the pool of peers that come and go", cheaper: poolDriver === "peers.count" ? "smaller" : "longer", events: peers * 4, bytes: peers * (PEER_BYTES[overlay.type] ?? 3_000) });

  const lookups = lookupCount(scenario, measuredMs);
  const perLookup = messagesPerLookup(overlay, peers);
  terms.push({ field: lookups.field, what: "lookups × the messages each sends", cheaper: "smaller", events: lookups.count * (perLookup + 2), bytes: lookups.count * LOOKUP_BYTES });

  for (const [key, value] of Object.entries(overlay)) {
    if (!/Interval$/.test(key) || typeof value !== "number" || !(value > 0)) continue;
    const rounds = (peers * durationMs) / value;
    terms.push({ field: `overlay.${key}`, what: "maintenance rounds of every peer", cheaper: "longer", events: rounds * EVENTS_PER_ROUND, bytes: 0 });
  }

  if (scenario.churn.model === "sessions") {
    const mean = meanOf(scenario.churn.session as Record<string, unknown>);
    if (mean > 0) terms.push({ field: "churn.session", what: "sessions (a join and a departure each)", cheaper: "longer", events: (2 * peers * durationMs) / mean, bytes: 0 });
  }

  const rows = durationMs / scenario.metrics.interval;
  terms.push({ field: "metrics.interval", what: "rows of timeseries.csv", cheaper: "longer", events: rows, bytes: rows * ROW_BYTES });

  const traced = scenario.metrics.traceLookups;
  if (traced) terms.push({ field: "metrics.traceLookups", what: "messages of the traced lookups", cheaper: "smaller", events: 0, bytes: traced * perLookup * TRACED_MESSAGE_BYTES });

  const events = terms.reduce((s, t) => s + t.events, 0);
  const bytes = BASE_BYTES + terms.reduce((s, t) => s + t.bytes, 0);
  return { events, bytes, terms };
}

/** The term that contributes most to events (or bytes). */
export function drivingTerm(estimate: Estimate, by: "events" | "bytes"): CostTerm {
  return estimate.terms.reduce((a, b) => (b[by] > a[by] ? b : a));
}

/** Peers the run creates: with session churn the pool is larger than the online count. */
function poolSize(scenario: Scenario): number {
  const count = scenario.peers.count;
  if (scenario.churn.model === "sessions") {
    const on = meanOf(scenario.churn.session as Record<string, unknown>);
    const off = meanOf(scenario.churn.offline as Record<string, unknown>);
    if (on > 0 && off >= 0) return Math.ceil((count * (on + off)) / on);
  }
  if (scenario.churn.model === "trace" && scenario.churn.trace) return scenario.churn.trace.peers;
  return count;
}

function lookupCount(scenario: Scenario, measuredMs: number): { count: number; field: string } {
  const l = scenario.workload.lookups as { rate?: number; perPeer?: number; count?: number };
  // Lookups start from the beginning (the warm-up included) when given as a rate.
  if (l.count !== undefined) return { count: l.count, field: "workload.lookups.count" };
  if (l.perPeer !== undefined) return { count: (l.perPeer * scenario.peers.count * scenario.duration) / 1000, field: "workload.lookups.perPeer" };
  return { count: ((l.rate ?? 0) * Math.max(measuredMs, scenario.duration)) / 1000, field: "workload.lookups.rate" };
}

/** Messages one lookup costs, by overlay: a flood reaches up to every link within its TTL; structured lookups take O(log N) hops. */
function messagesPerLookup(overlay: Record<string, unknown>, peers: number): number {
  const log2 = Math.log2(Math.max(2, peers));
  switch (overlay.type) {
    case "unstructured": {
      const degree = typeof overlay.degree === "number" ? overlay.degree : 8;
      const search = (overlay.search ?? {}) as Record<string, unknown>;
      if (search.method === "random-walk") {
        const walkers = typeof search.walkers === "number" ? search.walkers : 16;
        const ttl = typeof search.ttl === "number" ? search.ttl : 1024;
        return walkers * Math.min(ttl, peers);
      }
      const ttl = Array.isArray(search.ttls) ? Math.max(...(search.ttls as number[])) : typeof search.ttl === "number" ? search.ttl : 4;
      return Math.min(peers * degree, degree * Math.pow(Math.max(1, degree - 1), ttl - 1)) * 1.2;
    }
    case "hybrid":
      return 12;
    case "chord":
      return 3 * log2;
    case "kademlia":
      return 3 * (typeof overlay.alpha === "number" ? overlay.alpha : 3) * log2;
    default:
      return 4 * log2;
  }
}

/** The mean of a duration distribution (ms), or 0 if it cannot be told. */
function meanOf(d: Record<string, unknown>): number {
  const n = (k: string) => (typeof d[k] === "number" ? (d[k] as number) : undefined);
  switch (d.distribution) {
    case "fixed":
      return n("value") ?? 0;
    case "exponential":
      return n("mean") ?? 0;
    case "uniform":
      return ((n("min") ?? 0) + (n("max") ?? 0)) / 2;
    case "pareto": {
      const shape = n("shape") ?? 2;
      if (n("mean") !== undefined) return n("mean")!;
      return shape > 1 ? (shape * (n("scale") ?? 0)) / (shape - 1) : n("scale") ?? 0;
    }
    case "weibull":
      return n("mean") ?? n("scale") ?? 0;
    case "lognormal": {
      const sigma = n("sigma") ?? 1;
      return (n("median") ?? 0) * Math.exp((sigma * sigma) / 2);
    }
    default:
      return 0;
  }
}
