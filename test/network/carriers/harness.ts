import { Rng } from "../../../sim/engine/rng.js";
import { Simulator } from "../../../sim/engine/simulator.js";
import { Carrier, makePolicy, type CarrierName } from "../../../sim/network/carriers/carrier.js";
import { Links } from "../../../sim/network/links.js";
import { Meter } from "../../../sim/network/meter.js";

/** A carrier over `peers` peers with given capacities (bytes/ms), a constant propagation latency, everyone online; `solveIntervalMs` as network.bandwidth.solveInterval. */
export function carrierHarness(model: CarrierName, up: readonly number[], down: readonly number[], latencyMs = 0, solveIntervalMs = 0) {
  const sim = new Simulator();
  const links = new Links({}, new Rng(1), () => undefined);
  up.forEach((u, p) => links.set(p, u, down[p]!));
  const meter = new Meter(0);
  const online = new Set(up.map((_, p) => p));
  const carrier = new Carrier({ sim, links, policy: makePolicy(model), meter, propagation: () => latencyMs, isOnline: (p) => online.has(p), solveIntervalMs });
  carrier.flows.onUploaded = (peer, bytes) => meter.uploaded(peer, bytes);
  const arrivals: { from: number; to: number; bytes: number; at: number; tag: string }[] = [];
  const losses: { tag: string; moved: number; at: number }[] = [];
  const send = (from: number, to: number, bytes: number, tag = "") =>
    carrier.send(from, to, bytes, {
      arrived: () => arrivals.push({ from, to, bytes, at: sim.now, tag }),
      lost: (moved) => losses.push({ tag, moved, at: sim.now }),
    });
  return { sim, links, meter, carrier, flows: carrier.flows, online, arrivals, losses, send };
}
