/**
 * The bandwidth benchmark (issue 18): `peers` peers on heterogeneous links
 * (half DSL, 30 % cable, 20 % fibre, each spread lognormally around its
 * preset), each keeping `perPeer`
 * concurrent 1 MiB transfers to random other peers — a new one starts the
 * moment one arrives — until `transfers` have completed. Runs the carrier
 * directly (no overlay), so what is timed is the event queue, the solver and
 * the rescheduling. A checksum of completion times shows reruns are
 * identical.
 */
import { Rng } from "../engine/rng.js";
import { Simulator } from "../engine/simulator.js";
import { parseBandwidth } from "../core/units.js";
import { Carrier, makePolicy, type CarrierName } from "../network/carriers/carrier.js";
import type { MaxMin } from "../network/carriers/maxmin.js";
import { Links } from "../network/links.js";
import { Meter } from "../network/meter.js";
import { timePhases } from "./measure.js";

export interface BandwidthBenchOptions {
  name?: string;
  model: CarrierName;
  peers?: number;
  perPeer?: number;
  transfers?: number;
  seed?: number;
}

export function benchBandwidth(opts: BandwidthBenchOptions) {
  const peers = opts.peers ?? 10_000;
  const perPeer = opts.perPeer ?? 5;
  const target = opts.transfers ?? 1_000_000;
  const bytes = 1024 * 1024;
  const { state, timing } = timePhases(
    peers,
    () => {
      const root = new Rng(opts.seed ?? 1);
      const sim = new Simulator(1 << 16);
      // Each class spread around its preset (lognormal, σ = 0.3), so no two peers finish in lockstep.
      const spread = (share: number, up: string, down: string) => ({
        share,
        upload: { distribution: "lognormal" as const, median: up, sigma: 0.3 },
        download: { distribution: "lognormal" as const, median: down, sigma: 0.3 },
      });
      const classes = [spread(0.5, "1Mbit/s", "6.3Mbit/s"), spread(0.3, "5Mbit/s", "36Mbit/s"), spread(0.2, "2.9Mbit/s", "17.6Mbit/s")];
      const links = new Links({ links: { classes } }, root.fork("links"), parseBandwidth);
      for (let p = 0; p < peers; p++) links.assign(p, undefined);
      const policy = makePolicy(opts.model);
      const meter = new Meter(0);
      const carrier = new Carrier({ sim, links, policy, meter, propagation: () => 20, isOnline: () => true });
      const rng = root.fork("bench");
      let completed = 0;
      let checksum = 0;
      const start = (from: number) => {
        let to = rng.int(peers - 1);
        if (to >= from) to++;
        carrier.send(from, to, bytes, delivery(from));
      };
      const delivery = (from: number) => ({
        arrived: () => {
          completed++;
          checksum = (checksum * 31 + Math.round(sim.now * 1000)) % 2147483647;
          if (completed >= target) sim.stop();
          else start(from);
        },
        lost: () => {},
      });
      for (let p = 0; p < peers; p++) for (let k = 0; k < perPeer; k++) start(p);
      return { sim, carrier, policy, completed: () => completed, checksum: () => checksum };
    },
    ({ sim }) => {
      sim.run();
      return sim.eventsRun;
    },
  );
  const { sim, carrier, policy } = state;
  const flows = carrier.flows;
  const componentFlows = (policy as Partial<MaxMin>).componentFlows;
  return {
    name: opts.name ?? `bandwidth-${opts.model}`,
    model: opts.model,
    peers,
    perPeer,
    transfers: state.completed(),
    simulatedSeconds: Math.round(sim.now) / 1000,
    ...timing,
    solves: flows.solves,
    meanComponentFlows: componentFlows !== undefined ? Math.round((componentFlows / flows.solves) * 10) / 10 : null,
    reschedules: flows.reschedules,
    expansions: (policy as Partial<MaxMin>).expansions ?? null,
    checksum: state.checksum(),
  };
}
