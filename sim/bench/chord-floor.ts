/**
 * A reference for the `chord` bench: the memory floor of recursive Chord
 * routing. The same oracle-built ring (100,000 peers, 128-bit ids, 12
 * successors) and the same routing-table code, but no engine, network,
 * workload or metrics: for each of 1,000,000 lookups of a uniformly random
 * key from a random peer, hop p → closestPreceding(p, key) until p's
 * successor owns the key, in a plain loop.
 *
 * What is left is the cost of reaching each hop's routing state: at 10^5
 * peers the tables (tens of megabytes) do not fit in the caches, so a hop
 * costs about one or two memory misses however the code is written. Its CPU
 * seconds are the part of the `chord` bench's loop that no change outside
 * the tables' layout can save, and `chord` minus `chord-routing-floor` is
 * what the engine, the network and the lookup bookkeeping cost on top
 * (docs/architecture.md, "Benchmarks, speed and memory").
 */

import { Rng } from "../engine/rng.js";
import type { ChordTables } from "../overlays/chord/tables.js";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";
import { timePhases } from "./measure.js";

/** What the floor reads of the Chord overlay a simulation built: its tables, and key ids as its lookups hash them. */
interface ChordParts {
  readonly tables: ChordTables;
  keyId(key: number): Uint32Array;
}

/** A lookup's walk stops here if it has not ended: the oracle ring ends every walk in about log2 N hops. */
const MAX_HOPS = 200;

export function benchChordFloor(opts: { peers?: number; lookups?: number; seed?: number } = {}) {
  const peers = opts.peers ?? 100_000;
  const lookups = opts.lookups ?? 1_000_000;
  const seed = opts.seed ?? 1;
  const scenario = validateScenario(
    {
      name: "bench-chord-floor",
      seed,
      duration: "1s",
      peers: { count: peers },
      network: { latency: { model: "constant", delay: "50ms" } },
      overlay: { type: "chord", bootstrap: "oracle", idBits: 128, successors: 12, routing: "recursive", hopAcks: false, healthSample: 0 },
      faults: [{ kind: "freeze", at: "0s" }],
      workload: { keys: 1, popularity: { distribution: "uniform" }, lookups: { count: 0 }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1s" },
    },
    "bench-chord-floor",
  );
  let hops = 0;
  let unfinished = 0;
  const { timing } = timePhases(
    peers,
    () => {
      const overlay = new Simulation(scenario).overlay as unknown as ChordParts;
      const tables = overlay.tables;
      // Keys (as the chord bench draws them: uniform over 10^6) and origins drawn before the clock starts.
      const rng = new Rng(`${seed}/chord-floor`);
      const W = tables.W;
      const keyIds = new Uint32Array(lookups * W);
      const origins = new Int32Array(lookups);
      for (let i = 0; i < lookups; i++) {
        keyIds.set(overlay.keyId(Math.floor(rng.next() * 1_000_000)), i * W);
        origins[i] = Math.floor(rng.next() * peers);
      }
      return { tables, keyIds, origins };
    },
    ({ tables, keyIds, origins }) => {
      const W = tables.W;
      for (let i = 0; i < lookups; i++) {
        let p = origins[i]!;
        let h = 0;
        while (!tables.successorOwns(p, keyIds, i * W)) {
          const next = tables.closestPreceding(p, keyIds, i * W);
          if (next < 0 || ++h > MAX_HOPS) {
            unfinished++;
            break;
          }
          p = next;
        }
        hops += h;
      }
      // One "event" per hop, so events per CPU second compare with the chord bench's.
      return hops;
    },
  );
  return { name: "chord-routing-floor", peers, lookups, hopsPerLookup: Math.round((hops / lookups) * 100) / 100, unfinished, ...timing };
}
