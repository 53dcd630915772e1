import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateScenario } from "../../../sim/scenario/load.js";
import { runPeerlab } from "../../helpers/cli.js";
import { expectInputError } from "../../helpers/input-error.js";
import { flashCrowd, type FlashCrowdExtra } from "./flash-crowd.js";

/** swarm.test.ts's flash crowd (12 leechers, one seed, 1 MB in 16 pieces) in execution: rounds. */
function roundsRun(overlay: object, extra: FlashCrowdExtra = {}) {
  return flashCrowd({ execution: "rounds", ...overlay }, extra);
}

// Seed 3 (the event-level swarm on the same scenario in piece mode: 50.503724 s, swarm.test.ts).
const ROUNDS_DISTRIBUTION_S_SEED_3 = 44.552133;
const ROUNDS_MEAN_MS_SEED_3 = 38739.533;

describe("bittorrent: execution rounds", () => {
  it("every leecher gets the whole file, each byte uploaded once, in one engine event per round", () => {
    const { simulation, summary, results } = roundsRun({ pieceMapPeers: 12 });
    expect(summary.downloads.completed).toBe(12);
    expect(results.classes.leecher.downloadedBytes).toBeCloseTo(12 * 1_000_000, 3);
    // No duplicates at flow level: end game adds two uploaders' bytes into one piece.
    expect(results.classes.leecher.uploadedBytes + results.classes.seed.uploadedBytes).toBeCloseTo(12 * 1_000_000, 3);
    for (const row of results.pieceMap) expect(row.pieceTimesMs.filter((t: number) => t > row.startMs)).toHaveLength(16);
    expect(summary.overlay.tOverTMin).toBeGreaterThanOrEqual(1);
    // Flows are not transfers, but their bytes reach the bandwidth meter (ctx.flowed): every byte
    // delivered, no transfer counted, and the meter's upload utilisation near the overlay's own
    // (the meter also counts the tracker's idle uplink, and charges a round's bytes at its start).
    expect(summary.bandwidth.bytesDelivered).toBe(12 * 1_000_000);
    expect(summary.bandwidth.transfersCompleted).toBe(0);
    expect(summary.bandwidth.uploadUtilisation.mean).toBeGreaterThan(0);
    expect(summary.overlay.uploadUtilisation).toBeGreaterThan(0);
    expect(summary.overlay.uploadUtilisation).toBeLessThanOrEqual(1);
    // 600 rounds, 12 completions (a timer each, at the time inside the round), the joins: no event per piece or message.
    expect(simulation.sim.eventsRun).toBeLessThan(700);
    expect(summary.traffic.messages ?? 0).toBe(0);
    // Seed 3 gives these exact values (a change here is a change of behaviour).
    expect(summary.overlay.distributionTimeS).toBe(ROUNDS_DISTRIBUTION_S_SEED_3);
    expect(summary.downloads.timeMs.mean).toBe(ROUNDS_MEAN_MS_SEED_3);
  });

  it("download times fall inside rounds, not on their ends", () => {
    const { summary } = roundsRun({});
    const ends = (summary.downloads.timeMs.max / 1000) % 1;
    expect(ends).not.toBe(0);
    expect(summary.downloads.timeMs.mean % 1000).not.toBe(0);
  });

  it("is deterministic: the same seed gives the same summary and overlay.json", () => {
    const a = roundsRun({}, { peers: 6 });
    const b = roundsRun({}, { peers: 6 });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(JSON.stringify(b.results)).toBe(JSON.stringify(a.results));
  });

  it("comes near the event-level swarm on the same scenario", () => {
    const rounds = roundsRun({}).summary;
    const events = roundsRun({ execution: "events", torrent: { size: "1MB", pieceSize: "64KiB", transferUnit: "piece" } }).summary;
    expect(events.downloads.completed).toBe(12);
    expect(rounds.downloads.timeMs.mean / events.downloads.timeMs.mean).toBeGreaterThan(0.8);
    expect(rounds.downloads.timeMs.mean / events.downloads.timeMs.mean).toBeLessThan(1.2);
  });

  it("shorter rounds give the same downloads, near the same times", () => {
    const a = roundsRun({ roundLength: "1s" }).summary;
    const b = roundsRun({ roundLength: "250ms" }).summary;
    expect(b.downloads.completed).toBe(12);
    expect(b.downloads.timeMs.mean / a.downloads.timeMs.mean).toBeGreaterThan(0.9);
    expect(b.downloads.timeMs.mean / a.downloads.timeMs.mean).toBeLessThan(1.1);
  });

  it("the random picker and no end game still finish every download", () => {
    const { summary } = roundsRun({ picker: "random", endGame: false });
    expect(summary.downloads.completed).toBe(12);
    expect(summary.counters.endGameRequests).toBe(0);
  });

  it("free riders upload nothing but still finish", () => {
    const { results, summary } = roundsRun({ freeRiders: 0.3 }, { peers: 20 });
    expect(results.classes["free-rider"].peers).toBeGreaterThan(0);
    expect(results.classes["free-rider"].uploadedBytes).toBe(0);
    expect(summary.downloads.byLabel["free-rider"].completed).toBe(results.classes["free-rider"].peers);
  });

  it("tampering peers' pieces fail their hash check and get them banned; honest peers still finish", () => {
    const { summary, results } = roundsRun({ banStrikes: 1 }, { peers: 20, adversaries: { fraction: 0.2, behaviours: ["tamper"] } });
    expect(summary.counters.hashFails).toBeGreaterThan(0);
    expect(summary.counters.peersBanned).toBeGreaterThan(0);
    expect(summary.downloads.byLabel.leecher.completed).toBe(results.classes.leecher.peers);
  });

  it("leave on completion: every leecher finishes and leaves the swarm", () => {
    const { summary } = roundsRun({ afterCompletion: { policy: "leave" } });
    expect(summary.downloads.completed).toBe(12);
    expect(summary.counters.swarmLeaves).toBe(12);
  });

  it("poisson arrivals and seeding for a time: peers come one by one, finish and go", () => {
    const { summary } = roundsRun(
      { arrivals: { process: "poisson", rate: "0.2/s" }, afterCompletion: { policy: "seed", seedTime: { distribution: "exponential", mean: "20s" } } },
      { peers: 20, duration: "20m" },
    );
    expect(summary.downloads.started).toBe(20);
    expect(summary.downloads.completed).toBe(20);
    expect(summary.counters.swarmLeaves).toBe(20);
  });

  it("a seed alone for its first rechokes (slow arrivals) waits for leechers, then serves them", () => {
    const { summary } = roundsRun({ arrivals: { process: "poisson", rate: "1/m" } }, { peers: 3, duration: "30m" });
    expect(summary.downloads.started).toBe(3);
    expect(summary.downloads.completed).toBe(3);
  });

  it("churn: peers that go offline mid-download abort it; the others finish", () => {
    const { summary } = roundsRun(
      {},
      { peers: 20, duration: "15m", churn: { model: "sessions", session: { distribution: "exponential", mean: "1m" }, offline: { distribution: "exponential", mean: "1m" } } },
    );
    expect(summary.downloads.aborted).toBeGreaterThan(0);
    expect(summary.downloads.completed).toBeGreaterThan(0);
  });

  it("a seed that crashes takes its flows with it; the pieces it left half sent are finished by others", () => {
    const { summary, results } = roundsRun({ seeds: 2, endGame: false }, { faults: [{ kind: "crash-role", role: "seed", index: 0, at: "15s" }] });
    expect(summary.downloads.completed).toBe(12);
    expect(results.classes.leecher.downloadedBytes).toBeCloseTo(12 * 1_000_000, 3);
  });
});

describe("bittorrent: execution rounds, bad input", () => {
  const base = (network: object) => ({
    duration: "10m",
    peers: { count: 10, joinOver: "0s" },
    network,
    overlay: { type: "bittorrent", execution: "rounds" },
    workload: { lookups: { count: 0 } },
  });

  it("refuses rounds without network.bandwidth, naming the field", () => {
    const message = expectInputError(() => validateScenario(base({}), "bt.yaml"));
    expect(message).toContain("overlay.execution");
    expect(message).toContain("without network.bandwidth");
  });

  it("refuses rounds with a carrier other than maxmin, and with a degrade fault, naming the field", () => {
    const share = expectInputError(() => validateScenario(base({ bandwidth: { model: "share", links: { upload: "1Mbit/s" } } }), "bt.yaml"));
    expect(share).toContain("overlay.execution");
    expect(share).toContain('network.bandwidth.model "share"');
    const degraded = { ...base({ bandwidth: { model: "maxmin", links: { upload: "1Mbit/s" } } }), faults: [{ kind: "degrade", at: "1m", until: "2m", bandwidthFactor: 0.5 }] };
    const message = expectInputError(() => validateScenario(degraded, "bt.yaml"));
    expect(message).toContain("overlay.execution");
    expect(message).toContain("degrade fault");
  });

  it("refuses rounds with message loss, naming the field", () => {
    const message = expectInputError(() => validateScenario(base({ loss: 0.01, bandwidth: { model: "maxmin", links: { upload: "1Mbit/s" } } }), "bt.yaml"));
    expect(message).toContain("overlay.execution");
    expect(message).toContain("network.loss");
  });

  it("refuses an unknown execution and a zero round: exit 2 at the command line, one paragraph naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "peerlab-bt-rounds-"));
    const network = "network: { bandwidth: { model: maxmin, links: { upload: 1Mbit/s } } }\n";
    writeFileSync(join(dir, "a.yaml"), `duration: 10m\npeers: { count: 5 }\n${network}overlay: { type: bittorrent, execution: cycles }\nworkload: { lookups: { count: 0 } }\n`);
    writeFileSync(join(dir, "b.yaml"), `duration: 10m\npeers: { count: 5 }\n${network}overlay: { type: bittorrent, execution: rounds, roundLength: 0s }\nworkload: { lookups: { count: 0 } }\n`);
    writeFileSync(join(dir, "c.yaml"), "duration: 10m\npeers: { count: 5 }\noverlay: { type: bittorrent, execution: rounds }\nworkload: { lookups: { count: 0 } }\n");
    const a = runPeerlab(dir, "validate", "a.yaml");
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("overlay.execution");
    expect(a.stderr).toContain('expected one of "events", "rounds", got "cycles"');
    const b = runPeerlab(dir, "validate", "b.yaml");
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("overlay.roundLength");
    const c = runPeerlab(dir, "validate", "c.yaml");
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("overlay.execution");
    for (const r of [a, b, c]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
