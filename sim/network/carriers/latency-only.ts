import type { Flows, RatePolicy } from "./flows.js";

/** `none`: bytes take no time to send; a transfer costs its propagation latency only (peerlab before bandwidth). */
export const latencyOnly: RatePolicy = {
  name: "none",
  solve(flows, ups, nUp) {
    for (let i = 0; i < nUp; i++) for (const f of flows.upFlows[ups[i]!] ?? []) flows.setRate(f, Infinity);
  },
};

export type { Flows };
