import { describe, expect, it } from "vitest";
import type { OverlayContext } from "../../../sim/core/protocol.js";
import type { Buckets } from "../../../sim/overlays/kademlia/buckets.js";
import type { KadIds } from "../../../sim/overlays/kademlia/ids.js";
import { Maintenance } from "../../../sim/overlays/kademlia/maintenance.js";
import type { KademliaMessage } from "../../../sim/overlays/kademlia/messages.js";
import type { KademliaOptions } from "../../../sim/overlays/kademlia/options.js";
import type { PeerId } from "../../../sim/peers/population.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** 100 peers on oracle tables storing 100 keys, refreshing and replicating every 20 s, republishing every 40 s; no lookups. */
function maintenanceRun(faults: object[]) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 3,
        duration: "4m",
        peers: { count: 100, joinOver: "0s" },
        network: { latency: { model: "constant", delay: "10ms" } },
        overlay: { type: "kademlia", bootstrap: "oracle", k: 8, lookups: "value", refreshInterval: "20s", replicateInterval: "20s", republishInterval: "40s" },
        workload: { keys: 100, popularity: { distribution: "uniform" }, lookups: { count: 0 }, timeout: "20s" },
        metrics: { warmup: "0s", interval: "30s" },
        faults,
      },
      "kademlia-maintenance.yaml",
    ),
  );
  simulation.runToEnd();
  return simulation.finish().timeSeries;
}

describe("kademlia maintenance on the runtime's every", () => {
  it("a freeze fault stops refresh, replication and republishing; the runtime resumes them", () => {
    const series = maintenanceRun([{ kind: "freeze", at: "60s", until: "150s" }]);
    const column = (name: string) => series.map((row) => row[name]);
    // Rows end at 30 s, 60 s, ..., 240 s; the freeze covers those ending at 90, 120 and 150 s.
    expect(column("refreshes")).toEqual([461, 667, 0, 0, 0, 739, 628, 719]);
    expect(column("replications")).toEqual([92, 97, 0, 0, 0, 100, 145, 124]);
    expect(column("publishes")).toEqual([128, 81, 0, 0, 0, 16, 97, 67]);
    expect(column("maintenance_lookups")).toEqual([681, 845, 0, 0, 0, 855, 870, 910]);
  });

  it("frozen from 0 s no peer refreshes, replicates or republishes (the oracle's first publication still runs)", () => {
    const series = maintenanceRun([{ kind: "freeze", at: "0s" }]);
    expect(series.map((row) => row.refreshes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(series.map((row) => row.replications)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(series.map((row) => row.publishes)).toEqual([100, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("kademlia maintenance: joining again within a session", () => {
  // A runtime stand-in that records what is registered with ctx.every (no contacts: the join completes at once).
  function bare() {
    const registered: PeerId[] = [];
    const ctx = { every: (peer: PeerId) => registered.push(peer), bootstrapContacts: () => [], count: () => {} } as unknown as OverlayContext<KademliaMessage>;
    const options = { refreshInterval: 20_000, jitter: 0 } as KademliaOptions;
    const maintenance = new Maintenance(ctx, options, {} as KadIds, {} as Buckets, () => {}, undefined);
    return { maintenance, registered };
  }

  it("a join starts the peer's periodic refresh once", () => {
    const { maintenance, registered } = bare();
    maintenance.join(4);
    expect(registered).toEqual([4]);
  });

  it("a rebootstrap (IPFS's lonely peer) starts no second set of timers", () => {
    const { maintenance, registered } = bare();
    maintenance.join(4);
    maintenance.rebootstrap(4);
    maintenance.rebootstrap(4);
    expect(registered).toEqual([4]);
  });
});
