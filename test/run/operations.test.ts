import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { scenarioFiles } from "../helpers/scenario-files.js";

/**
 * Operations a protocol starts itself: downloads (ctx.downloadStarted and its
 * ends) and broadcasts it originates (ctx.startBroadcast), and the overlay's
 * own results (overlay.json). A tiny plug-in exercises each: every joining
 * peer downloads 1 MB from the first peer over the links, and the first peer
 * announces each completion as a broadcast that every peer hears after one
 * hop.
 */
const { dir, file } = scenarioFiles("peerlab-operations-");

writeFileSync(
  join(dir, "fetcher.js"),
  `export default () => ({
  name: "fetcher",
  description: "Every peer downloads one file from the first peer",
  downloads: true,
  originatesBroadcasts: true,
  messageTypes: { news: { category: "broadcast", bytes: 100 } },
  create: (options, ctx) => {
    const online = new Set();
    const done = [];
    return {
      join(peer) {
        online.add(peer);
        if (peer === 0) return;
        const id = ctx.downloadStarted(peer, 1_000_000, peer % 2 === 0 ? "even" : "odd");
        ctx.transfer(0, peer, 1_000_000, () => {
          ctx.downloadCompleted(id);
          done.push(peer);
          const b = ctx.startBroadcast(0, 100);
          ctx.reached(b, 0);
          for (const p of [...online].sort((a, b) => a - b)) if (p !== 0) ctx.send(0, p, { type: "news", broadcast: b });
        }, () => ctx.downloadAborted(id));
      },
      leave(peer) { online.delete(peer); },
      crash(peer) { online.delete(peer); },
      deliver(to, from, msg) { ctx.reached(msg.broadcast, to); },
      results() { return { completedBy: done }; },
    };
  },
});
`,
);

function run(extra: string[] = []) {
  const path = file("fetch.yaml", [
    "name: fetch",
    "seed: 3",
    "duration: 20s",
    "peers: { count: 9, joinOver: 1s }",
    "network:",
    "  latency: { model: constant, delay: 10ms }",
    "  bandwidth: { model: share, links: { upload: 8Mbit/s, download: 8Mbit/s } }",
    "overlay: { type: fetcher, module: ./fetcher.js }",
    "workload: { lookups: { count: 0 } }",
    "metrics: { warmup: 0s, interval: 5s }",
    ...extra,
  ]);
  const simulation = new Simulation(loadScenario(path));
  simulation.runToEnd();
  return resultFiles(simulation, { scenarioFile: path, complete: true });
}

describe("operations started by the protocol", () => {
  const files = run();
  const summary = JSON.parse(files["summary.json"]);

  it("downloads: every one is in downloads.csv and the summary, grouped by label", () => {
    const rows = (files["downloads.csv"] as string).trim().split("\n");
    expect(rows[0]).toBe("scenario,variant,seed,download,peer,label,bytes,start_ms,end_ms,time_ms,outcome");
    expect(rows).toHaveLength(9);
    expect(rows.slice(1).every((r) => r.endsWith(",completed"))).toBe(true);
    expect(summary.downloads.started).toBe(8);
    expect(summary.downloads.completed).toBe(8);
    expect(summary.downloads.byLabel.even.started + summary.downloads.byLabel.odd.started).toBe(8);
    // The first peer's 8 Mbit/s upload is shared by the downloads in flight: no download takes less than 1 MB at 8 Mbit/s plus the latency.
    expect(summary.downloads.timeMs.p50).toBeGreaterThanOrEqual(1010);
    // Together they move 8 MB through that 1 MB/s upload: the last ends 8 s after the first began (at 111.111 ms), plus 10 ms of latency.
    expect(rows[8]).toBe("fetch,,3,7,8,even,1000000,888.889,8121.111,7232.222,completed");
    expect(summary.downloads.cdf).toHaveLength(21);
    expect(summary.downloads.cdf[20][1]).toBe(1);
  });

  it("broadcasts the protocol starts are measured like workload broadcasts", () => {
    expect(summary.broadcasts.started).toBe(8);
    expect(summary.broadcasts.completed).toBe(8);
    expect(summary.broadcasts.coverage.mean).toBe(1);
    expect(summary.broadcasts.timeToMs.p100.p50).toBe(10);
  });

  it("time series and columns.json carry the download columns", () => {
    const header = files["timeseries.csv"].split("\n")[0]!;
    expect(header).toContain("downloads_completed");
    expect(header).toContain("broadcast_t100_mean_ms");
    expect(JSON.parse(files["columns.json"]).download_time_mean_ms.unit).toBe("ms");
  });

  it("the overlay's own results are overlay.json, and listed in the manifest", () => {
    expect(JSON.parse(files["overlay.json"] as string).completedBy).toHaveLength(8);
    expect(JSON.parse(files["manifest.json"]).files).toEqual(expect.arrayContaining(["downloads.csv", "overlay.json"]));
  });
});
