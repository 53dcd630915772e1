import { describe, expect, it } from "vitest";
import { flashCrowd } from "./flash-crowd.js";

/** A small flash crowd (flash-crowd.ts), event by event. */
const swarmRun = flashCrowd;

const REQUESTS_SEED_3 = 268;
const DISTRIBUTION_S_SEED_3 = 50.503724;

describe("bittorrent: a flash crowd", () => {
  it("every leecher gets the whole file, exactly once per byte (bar end-game duplicates)", () => {
    const { summary, results } = swarmRun({});
    expect(summary.downloads.started).toBe(12);
    expect(summary.downloads.completed).toBe(12);
    expect(results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    // What leechers and the seed uploaded is what leechers received, plus duplicated blocks.
    const uploaded = results.classes.leecher.uploadedBytes + results.classes.seed.uploadedBytes;
    expect(uploaded).toBeGreaterThanOrEqual(12 * 1_000_000);
    expect(uploaded).toBeLessThanOrEqual(12 * 1_000_000 + summary.counters.duplicateBlocks * 16_384);
    // Never faster than the Kumar–Ross bound. A 1 MB file takes about 20 s at best, so the first
    // rechoke (up to 10 s in) weighs heavily here; larger files come nearer (validation README).
    expect(summary.overlay.tOverTMin).toBeGreaterThanOrEqual(1);
    expect(summary.overlay.tOverTMin).toBeLessThan(3);
    expect(summary.counters.hashFails).toBe(0);
  });

  it("is deterministic: the same seed gives the same summary and overlay.json", () => {
    const a = swarmRun({ torrent: { size: "512KiB", pieceSize: "64KiB" } }, { peers: 6 });
    const b = swarmRun({ torrent: { size: "512KiB", pieceSize: "64KiB" } }, { peers: 6 });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(JSON.stringify(b.results)).toBe(JSON.stringify(a.results));
  });

  it("piece mode moves whole pieces: the same bytes with far fewer requests", () => {
    const block = swarmRun({});
    const piece = swarmRun({ torrent: { size: "1MB", pieceSize: "64KiB", transferUnit: "piece" } });
    expect(piece.summary.downloads.completed).toBe(12);
    expect(piece.results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    const requests = (s: any) => s.traffic.byType.request.messages;
    // 16 pieces of 4 blocks each: at least 12 × 64 block requests, but only 12 × 16 piece requests (plus end game).
    expect(requests(block.summary)).toBeGreaterThanOrEqual(12 * 64);
    expect(requests(piece.summary)).toBeLessThan(requests(block.summary) / 3);
  });

  it("batched HAVEs (haveInterval) carry the same news in far fewer messages", () => {
    const exact = swarmRun({}).summary.traffic.byType;
    const batched = swarmRun({ haveInterval: "10s" });
    expect(batched.summary.downloads.completed).toBe(12);
    expect(exact.haves.messages).toBe(0);
    expect(batched.summary.traffic.byType.have.messages).toBe(0);
    expect(batched.summary.traffic.byType.haves.messages).toBeLessThan(exact.have.messages / 3);
  });

  it("client-server: N clients sharing the server's uplink all finish after N·F/u_s", () => {
    const { summary } = swarmRun({ mode: "client-server" }, { peers: 10 });
    expect(summary.downloads.completed).toBe(10);
    // 10 × 1 MB over 100 kB/s = 100 s, plus a request's and the data's latency.
    expect(summary.overlay.tMinS).toBe(100);
    expect(summary.overlay.distributionTimeS).toBeCloseTo(100.04, 2);
  });

  it("free riders upload nothing but still finish, on the seed's and optimistic slots", () => {
    const { results, summary } = swarmRun({ freeRiders: 0.3 }, { peers: 20 });
    expect(results.classes["free-rider"].peers).toBeGreaterThan(0);
    expect(results.classes["free-rider"].uploadedBytes).toBe(0);
    expect(summary.downloads.byLabel["free-rider"].completed).toBe(results.classes["free-rider"].peers);
  });

  it("tampering peers' pieces fail their hash check and get them banned; honest peers still finish", () => {
    const { summary, results } = swarmRun({ torrent: { size: "1MB", pieceSize: "64KiB", transferUnit: "piece" }, banStrikes: 1 }, { peers: 20, adversaries: { fraction: 0.2, behaviours: ["tamper"] } });
    expect(summary.counters.hashFails).toBeGreaterThan(0);
    expect(summary.counters.peersBanned).toBeGreaterThan(0);
    expect(summary.downloads.byLabel.leecher.completed).toBe(results.classes.leecher.peers);
  });

  it("the piece map records when each mapped peer got each piece", () => {
    const { results } = swarmRun({ pieceMapPeers: 3 });
    expect(results.pieceMap).toHaveLength(3);
    for (const row of results.pieceMap) {
      expect(row.pieceTimesMs).toHaveLength(16);
      for (const t of row.pieceTimesMs) expect(t).toBeGreaterThan(row.startMs);
    }
  });
});

describe("bittorrent: piece mode (torrent.transferUnit: piece)", () => {
  const pieces = { size: "1MB", pieceSize: "64KiB", transferUnit: "piece" };

  it("moves each piece as one transfer: every leecher verifies all 16 pieces and gets exactly the file's bytes", () => {
    const { summary, results } = swarmRun({ torrent: pieces, pieceMapPeers: 12 });
    expect(summary.downloads.completed).toBe(12);
    expect(results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    // Every piece of every leecher verified (a time in the piece map), none failed.
    expect(results.pieceMap).toHaveLength(12);
    for (const row of results.pieceMap) expect(row.pieceTimesMs.filter((t: number) => t > row.startMs)).toHaveLength(16);
    expect(summary.counters.hashFails).toBe(0);
    // A duplicate is a whole piece: 15 of 64 KiB and the last of 1,000,000 − 15 · 65,536 = 16,960 bytes.
    const uploaded = results.classes.leecher.uploadedBytes + results.classes.seed.uploadedBytes;
    expect(uploaded - 12 * 1_000_000).toBeLessThanOrEqual(summary.counters.duplicateBlocks * 65_536);
    // Seed 3 gives these exact values (a change here is a change of behaviour).
    expect(summary.traffic.byType.request.messages).toBe(REQUESTS_SEED_3);
    expect(summary.overlay.distributionTimeS).toBe(DISTRIBUTION_S_SEED_3);
  });

  it("a piece whose request a choke drops is requested again, and nothing is lost or fetched twice", () => {
    // One regular and one optimistic slot among 20 leechers: chokes are frequent. Without end game
    // every request beyond one per piece and leecher is a re-request of a piece a choke dropped.
    const { summary, results } = swarmRun(
      { torrent: pieces, endGame: false, pipeline: 12, choking: { regularSlots: 1, optimisticSlots: 1 } },
      { peers: 20 },
    );
    expect(summary.downloads.completed).toBe(20);
    expect(summary.traffic.byType.choke.messages).toBeGreaterThan(0);
    expect(summary.counters.transfersAborted).toBe(0);
    expect(summary.counters.keepAliveDrops).toBe(0);
    expect(summary.traffic.byType.request.messages).toBeGreaterThan(20 * 16);
    expect(summary.counters.duplicateBlocks).toBe(0);
    expect(results.classes.leecher.downloadedBytes).toBe(20 * 1_000_000);
    expect(results.classes.leecher.uploadedBytes + results.classes.seed.uploadedBytes).toBe(20 * 1_000_000);
  });

  it("a piece cut on the wire by its uploader's crash is lost whole and fetched again", () => {
    // Two seeds; the first crashes 15 s in, in the middle of piece transfers (a 64 KiB piece takes
    // about 2.6 s on a quarter of its 100 kB/s uplink).
    const { summary, results } = swarmRun(
      { torrent: pieces, seeds: 2, endGame: false },
      { faults: [{ kind: "crash-role", role: "seed", index: 0, at: "15s" }] },
    );
    expect(summary.counters.transfersAborted).toBeGreaterThan(0);
    expect(summary.downloads.completed).toBe(12);
    // The cut pieces count nowhere: uploads count when a piece arrives, downloads when it is kept.
    expect(results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    expect(results.classes.leecher.uploadedBytes + results.classes.seed.uploadedBytes).toBe(12 * 1_000_000);
  });

  it("without redundant HAVEs, peers known to have a piece are not told of it, and downloads go as before", () => {
    // Seed 3: 2,304 HAVEs become 1,110; 744 batches become 452.
    const sent = { "0s": [2304, 1110], "5s": [744, 452] };
    for (const haveInterval of ["0s", "5s"] as const) {
      const all = swarmRun({ torrent: pieces, haveInterval });
      const needed = swarmRun({ torrent: pieces, haveInterval, redundantHaves: false });
      const type = haveInterval === "0s" ? "have" : "haves";
      expect(needed.summary.downloads.completed).toBe(12);
      expect(needed.results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
      expect([all.summary.traffic.byType[type].messages, needed.summary.traffic.byType[type].messages]).toEqual(sent[haveInterval]);
      expect(needed.summary.downloads.timeMs.mean / all.summary.downloads.timeMs.mean).toBeCloseTo(1, 1);
    }
  });

  it("with rates solved every 100 ms, every download finishes about as fast, with fewer solves", () => {
    const exact = swarmRun({ torrent: pieces });
    const stepped = swarmRun({ torrent: pieces }, { solveInterval: "100ms" });
    expect(stepped.summary.downloads.completed).toBe(12);
    expect(stepped.results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    const solves = (run: typeof exact) => run.simulation.network.carrier.flows.solves;
    // Seed 3: 300 solves (two per piece transfer, some shared) against 189 steps with a change.
    expect([solves(exact), solves(stepped)]).toEqual([300, 189]);
    // A 64 KiB piece takes seconds on these links: 100 ms steps hardly move the downloads
    // (mean 41.88 s exact, 43.71 s in steps; p90 48.01 s and 48.31 s).
    expect(exact.summary.downloads.timeMs.mean).toBe(41880.617);
    expect(stepped.summary.downloads.timeMs.mean).toBe(43705.05);
    expect(stepped.summary.downloads.timeMs.p90).toBe(48312.45);
    expect(stepped.summary.overlay.tOverTMin).toBeGreaterThanOrEqual(1);
  });

  it("batched HAVEs and piece transfers together still finish every download", () => {
    const { summary, results } = swarmRun({ torrent: pieces, haveInterval: "5s" });
    expect(summary.downloads.completed).toBe(12);
    expect(results.classes.leecher.downloadedBytes).toBe(12 * 1_000_000);
    expect(summary.traffic.byType.have.messages).toBe(0);
  });
});

describe("bittorrent: optimistic unchoke", () => {
  it.each(["piece", "block"])("with one regular and one optimistic slot, a seed's optimistic slot is shared about evenly (transferUnit %s)", (transferUnit) => {
    // A seed stays a seed for the whole run: its optimistic slot rotates among all 9 leechers every 30 s.
    const { results } = swarmRun(
      { choking: { regularSlots: 1, optimisticSlots: 1 }, torrent: { size: "500MB", pieceSize: "1MB", transferUnit }, pieceMapPeers: 0 },
      { peers: 9, duration: "40m" },
    );
    const seed = Object.keys(results.optimisticUnchokeMs)[0]!;
    const times = Object.values(results.optimisticUnchokeMs[seed]) as number[];
    expect(times).toHaveLength(9);
    const total = times.reduce((a, b) => a + b, 0);
    // The slot is never idle: every leecher stays interested (a 500 MB file), so the times add up to the run.
    expect(total / (40 * 60_000)).toBeCloseTo(1, 2);
    // 80 rotations among 9 peers: about 8.9 turns each (binomial spread), about T/9 of unchoked time each.
    for (const t of times) expect(t / (total / 9)).toBeGreaterThan(0.5);
    for (const t of times) expect(t / (total / 9)).toBeLessThan(1.75);
  });
});
