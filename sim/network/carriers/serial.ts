import type { RatePolicy } from "./flows.js";

/**
 * `serial`: each sender transmits one transfer at a time, in the order they
 * were started, at min(its upload, the receiver's download); the others wait
 * (the OverSim and SimBlock model). Downlinks are not shared.
 */
export const serial: RatePolicy = {
  name: "serial",
  solve(flows, ups, nUp) {
    for (let i = 0; i < nUp; i++) {
      const peer = ups[i]!;
      const list = flows.upFlows[peer];
      if (!list || list.length === 0) continue;
      let head = list[0]!;
      for (const f of list) if (flows.seq[f]! < flows.seq[head]!) head = f;
      for (const f of list) if (f !== head) flows.setRate(f, 0);
      flows.setRate(head, Math.min(flows.up(peer), flows.down(flows.to[head]!)));
    }
  },
};
