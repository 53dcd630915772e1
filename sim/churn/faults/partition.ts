import { z } from "zod";
import { integer, oneOf, strict } from "../../core/fields.js";
import type { PeerId } from "../../peers/population.js";
import { at, until } from "./fields.js";
import { faultKind, type FaultRun } from "./kind.js";

/** `kind: partition`: the network splits into groups that cannot reach each other (Network.conditions.group), until it heals. */

const schema = strict({
  kind: z.literal("partition"),
  at: at(),
  until: until("the partition heals"),
  groups: integer(2, 64).default(2).meta({ description: "Number of groups; messages between groups are dropped." }),
  by: oneOf(["random", "region", "id"])
    .default("random")
    .meta({
      description:
        '"random": each peer in a random group; "region": one group per latency region (network.latency.model "regions"); "id": equal ranges of the overlay\'s identifier space (peer numbers for overlays without one).',
    }),
}).meta({ description: "Splits the network into groups that cannot reach each other, until it heals." });

type Spec = z.output<typeof schema>;

export const partition = faultKind({
  name: "partition",
  description: "the network splits into groups (random, region, id range) until it heals",
  schema,
  check(spec, scenario, issue) {
    if (spec.by === "region" && scenario.latencyModel !== "regions") {
      issue(["by"], `expected network.latency.model "regions" for a partition by region, got "${scenario.latencyModel}"`);
    }
  },
  create: (spec) => ({
    counters: ["partition_dropped"],
    begin(run) {
      run.network.conditions.group = partitionGroups(spec, run);
      run.network.partitionChanged();
      return { kind: "partition", label: `network split in ${spec.by === "region" ? "regions" : `${spec.groups} groups by ${spec.by}`}` };
    },
    end(run) {
      run.network.conditions.group = undefined;
      return { kind: "heal", label: "partition healed" };
    },
  }),
});

/** Which group each peer is in while the network is split. */
function partitionGroups(spec: Spec, run: FaultRun): (peer: PeerId) => number {
  const groups = spec.groups;
  switch (spec.by) {
    case "random": {
      // A salted hash of the peer number: every peer, even one created later, has a fixed group.
      const salt = Math.floor(run.rng.next() * 0x100000000) | 0;
      return (peer) => (mix(peer ^ salt) >>> 0) % groups;
    }
    case "region": {
      const names = new Map<string, number>();
      return (peer) => {
        const r = run.latency.regionOf(peer) ?? "";
        let g = names.get(r);
        if (g === undefined) names.set(r, (g = names.size));
        return g;
      };
    }
    case "id": {
      const fractionOf = run.overlay.idFraction?.bind(run.overlay);
      return fractionOf
        ? (peer) => Math.min(groups - 1, Math.floor(fractionOf(peer) * groups))
        : (peer) => Math.min(groups - 1, Math.floor((peer / run.poolSize) * groups));
    }
  }
}

function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}
