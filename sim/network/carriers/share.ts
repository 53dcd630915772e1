import type { RatePolicy } from "./flows.js";

/**
 * `share`: processor sharing of each uplink — a sender's n transfers each
 * get 1/n of its upload capacity; downlinks are unlimited. Only the senders
 * whose set of transfers changed are recomputed.
 */
export const share: RatePolicy = {
  name: "share",
  solve(flows, ups, nUp) {
    for (let i = 0; i < nUp; i++) {
      const peer = ups[i]!;
      const list = flows.upFlows[peer];
      if (!list || list.length === 0) continue;
      const rate = flows.up(peer) / list.length;
      for (const f of list) flows.setRate(f, rate);
    }
  },
};
