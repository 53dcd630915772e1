import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";
import { runPeerlab } from "../../helpers/cli.js";
import { expectInputError } from "../../helpers/input-error.js";

/**
 * IPFS end to end on small static networks (oracle tables, constant 20 ms
 * latency, no churn), where the timings can be worked out by hand.
 */

function scenario(overlay: object = {}, extra: object = {}) {
  return {
    seed: 3,
    duration: "3m",
    peers: { count: 120 },
    network: { latency: { model: "constant", delay: "20ms" } },
    churn: { model: "none" },
    overlay: { type: "ipfs", bootstrap: "oracle", ...overlay },
    workload: { keys: 40, fileSize: "100kB", popularity: { distribution: "uniform" }, lookups: { count: 150 }, timeout: "30s" },
    metrics: { warmup: "1m", interval: "1m" },
    ...extra,
  };
}

function run(overlay: object = {}, extra: object = {}) {
  const simulation = new Simulation(validateScenario(scenario(overlay, extra), "ipfs.yaml"));
  simulation.runToEnd();
  const results = simulation.overlay.results!() as { retrievals: Record<string, any>; publications: Record<string, any>; files: Record<string, any>[] };
  return { summary: simulation.finish().summary, results };
}

describe("ipfs: retrieval", () => {
  it("from a connected holder costs WANT_HAVE, HAVE, WANT_BLOCK and the block: 4 × 20 ms", () => {
    // Everyone connected to everyone, and no DHT walk within the run: every file comes through the broadcast.
    const { summary, results } = run({ connections: { low: 200, high: 300 }, bitswap: { providerSearchDelay: "10m" } });
    // Oracle connections are each peer's bucket contacts: a few peers hold no connection to a file's holders and give up.
    expect(summary.lookups.successRatio).toBeGreaterThan(0.95);
    const r = results.retrievals;
    expect(r.viaDht).toBe(0);
    expect(r.wholeFileMs.p50).toBe(80);
    expect(r.wholeFileMs.p90).toBe(80);
    expect(r.firstProviderMs.p90).toBe(40);
    // Every connected peer gets one WANT_HAVE; all but the one that sent the block get a CANCEL.
    expect(r.wantHavePerConnectedPeer).toBe(1);
    expect(r.cancelPerConnectedPeer).toBeGreaterThanOrEqual(0.98);
    expect(r.cancelPerConnectedPeer).toBeLessThan(1);
    expect(summary.downloads!.completed).toBe(summary.lookups.succeeded);
  });

  it("from a provider found in the DHT: the 1 s delay, the walk, a dial and the fetch", () => {
    const { summary, results } = run({ connections: { low: 1, high: 1 } });
    expect(summary.lookups.successRatio).toBe(1);
    const r = results.retrievals;
    expect(r.viaDht).toBeGreaterThan(r.viaBroadcast);
    // 1,000 ms, then a walk of whole round trips (40 ms each), a dial (40) and WANT_BLOCK plus the block (40).
    expect(r.wholeFileViaDhtMs.p50).toBeGreaterThanOrEqual(1000 + 40 + 40 + 40);
    expect((r.wholeFileViaDhtMs.p50 - 1000) % 40).toBe(0);
    expect(r.dhtWalkMs.p50 % 40).toBe(0);
    expect(r.firstProviderMs.p50).toBe(1000 + r.dhtWalkMs.p50);
    expect(summary.overlay!.dhtShareOfRetrievals).toBeGreaterThan(0.5);
  });

  it("publication stores each root's provider record on the k closest servers", () => {
    const { results } = run({ dht: { k: 8 }, storage: { provideFetched: false } });
    const p = results.publications;
    expect(p.count).toBe(40);
    expect(p.recordsStored.p50).toBe(8);
    const first = results.files[0]!;
    expect(first.published).toBe(true);
    // The 8 closest servers hold a record, plus the creator itself when it is one of them.
    expect(first.providerRecords.length).toBeGreaterThanOrEqual(8);
    expect(first.providerRecords.length).toBeLessThanOrEqual(9);
    expect(first.providerRecords[0].providers).toContain(first.creator);
  });

  it("is the same, byte for byte, on a second run", () => {
    const a = run({ connections: { low: 4, high: 8 } });
    const b = run({ connections: { low: 4, high: 8 } });
    expect(JSON.stringify(b.results)).toBe(JSON.stringify(a.results));
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
  });
});

describe("ipfs: DHT clients", () => {
  it("never hold provider records nor sit in a server's buckets, yet retrieve like everyone", () => {
    const simulation = new Simulation(validateScenario(scenario({ bootstrap: "join", dht: { clientShare: 0.5 } }), "ipfs.yaml"));
    simulation.runToEnd();
    const overlay = simulation.overlay as unknown as { dht: { buckets: { forEachContact(p: number, fn: (c: number) => void): void } } };
    const clients = new Set(simulation.overlay.snapshot!().peers.filter((p) => p.role === "dht-client").map((p) => p.peer));
    expect(clients.size).toBeGreaterThan(40);
    const files = (simulation.overlay.results!() as { files: { providerRecords: { peer: number }[] }[] }).files;
    const holders = files.flatMap((f) => f.providerRecords.map((r) => r.peer));
    expect(holders.length).toBeGreaterThan(100);
    expect(holders.filter((p) => clients.has(p))).toEqual([]);
    let contactsOfServers = 0;
    for (const peer of simulation.population.livePeers()) {
      if (clients.has(peer)) continue;
      overlay.dht.buckets.forEachContact(peer, (c) => {
        contactsOfServers++;
        expect(clients.has(c)).toBe(false);
      });
    }
    expect(contactsOfServers).toBeGreaterThan(1000);
    expect(simulation.finish().summary.lookups.successRatio).toBeGreaterThan(0.95);
  });
});

describe("ipfs: tampering peers", () => {
  it("send corrupted blocks that fail their hash check; the file comes from honest peers or not at all", () => {
    const tamper = run({ connections: { low: 200, high: 300 } }, { adversaries: { fraction: 0.2, behaviours: ["tamper"] } });
    const c = tamper.summary.counters;
    // Every tampering peer answers HAVE to every broadcast and sends garbage: 1,548 blocks rejected (seed 3).
    expect(c.blocksRejected).toBeGreaterThan(1000);
    // Each block sent is rejected or received, but for one still travelling, or arriving after its retrieval gave up.
    expect(c.blocksSent! - c.blocksRejected! - c.blocksReceived!).toBe(1);
    // A file whose creator tampers exists only in corrupted form until an honest peer has it: those
    // retrievals fail (17 by the deadline, 7 unfinished), none ends with a corrupted file.
    expect(tamper.summary.lookups.successRatio).toBeGreaterThan(0.85);
    expect(c.blocksReceived).toBe(tamper.summary.lookups.succeeded);
  });
});

describe("ipfs: pinning and churn", () => {
  it("files pinned by an always-online service stay available; creators alone come and go", () => {
    const churn = { model: "sessions", session: { distribution: "exponential", mean: "2m" }, offline: { distribution: "exponential", mean: "4m" } };
    const base = { bootstrap: "join", storage: { provideFetched: false, max: "150kB" } };
    const creator = run(base, { churn, duration: "10m", metrics: { warmup: "3m", interval: "1m" } });
    const service = run({ ...base, pinning: { policy: "service", services: 1 } }, { churn, duration: "10m", metrics: { warmup: "3m", interval: "1m" } });
    expect(service.summary.storage!.availabilityMean).toBe(1);
    expect(creator.summary.storage!.availabilityMean).toBeLessThan(0.8);
    expect(service.summary.lookups.successRatio!).toBeGreaterThan(creator.summary.lookups.successRatio! + 0.1);
  });
});

describe("ipfs: bad input", () => {
  it("refuses a block size of 0, K larger than the network and an unknown pin policy, naming each field", () => {
    const message = expectInputError(() =>
      validateScenario(scenario({ blockSize: 0, dht: { k: 200 }, pinning: { policy: "cloud" } }), "bad-ipfs.yaml"),
    );
    expect(message).toContain('overlay.blockSize: expected a block size from 1 B to 2 MiB like "256KiB"');
    expect(message).toContain('overlay.pinning.policy: expected one of "creator", "service", "both", "none", got "cloud"');
    const k = expectInputError(() => validateScenario(scenario({ dht: { k: 200 } }), "bad-ipfs.yaml"));
    expect(k).toContain("overlay.dht.k: expected at most 120 (the network has 120 peers");
    const services = expectInputError(() => validateScenario(scenario({ pinning: { policy: "service" } }), "bad-ipfs.yaml"));
    expect(services).toContain('overlay.pinning.services: expected at least 1 pinning service with policy "service", got 0');
  });

  it("exits with code 2 and one paragraph, no stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "ipfs-bad-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      ["duration: 1m", "peers: { count: 10 }", "overlay: { type: ipfs, dht: { k: 20 } }", "workload: { lookups: { count: 0 } }"].join("\n"),
    );
    const r = runPeerlab(dir, "run", "bad.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("overlay.dht.k: expected at most 10");
    expect(r.stderr).not.toContain("    at ");
  });
});
