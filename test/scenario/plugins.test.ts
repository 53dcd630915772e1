import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED } from "../../sim/overlays/plugins.js";
import { findOverlay } from "../../sim/overlays/registry.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { expectInputError } from "../helpers/input-error.js";
import { scenarioFiles } from "../helpers/scenario-files.js";

/**
 * Plug-in overlays named by `overlay.module`: loaded relative to the scenario,
 * validated like built-in overlays, and refused with one paragraph naming the
 * file and the field when they are missing, broken or the wrong shape.
 */
const { dir, file } = scenarioFiles("peerlab-plugins-");

function scenarioWith(name: string, overlay: string[]): string {
  return file(`${name}.yaml`, ["duration: 2m", "peers: { count: 20 }", "overlay:", ...overlay.map((l) => `  ${l}`), "workload: { lookups: { count: 0 }, broadcasts: { count: 3 } }"]);
}

function module(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

const TINY = (name: string) => `export default ({ fields }) => ({
  name: "${name}",
  description: "A test overlay",
  options: { fanout: fields.integer(1, 10).default(2) },
  messageTypes: { item: { category: "broadcast", bytes: 50 } },
  create: () => ({ join() {}, leave() {}, crash() {}, deliver() {}, broadcast() {} }),
});
`;

const problem = (path: string): string => expectInputError(() => loadScenario(path));

describe("plug-in overlays", () => {
  it("are loaded relative to the scenario, registered, and their options validated with defaults", () => {
    module("tiny.js", TINY("tiny"));
    const s = loadScenario(scenarioWith("ok", ["type: tiny", "module: ./tiny.js"]));
    expect(s.overlay).toEqual({ type: "tiny", module: "./tiny.js", fanout: 2 });
    expect(findOverlay("tiny")?.description).toBe("A test overlay");
    expect(problem(scenarioWith("bad-option", ["type: tiny", "module: ./tiny.js", "fanout: 99"]))).toContain("overlay.fanout");
    expect(problem(scenarioWith("unknown-option", ["type: tiny", "module: ./tiny.js", "fanout: 3", "speed: 2"]))).toContain("speed");
  });

  it("name the file and the field when the module is missing, broken or the wrong shape", () => {
    const missing = problem(scenarioWith("missing", ["type: ghost", "module: ./ghost.js"]));
    expect(missing).toMatch(/missing\.yaml is not a valid scenario[\s\S]*overlay\.module: the overlay module .*ghost\.js does not exist/);
    module("syntax.js", "export default (api) => {");
    expect(problem(scenarioWith("syntax", ["type: syntax", "module: ./syntax.js"]))).toContain("cannot be used: it does not load");
    module("object.js", "export default { name: 'object' };");
    expect(problem(scenarioWith("object", ["type: object", "module: ./object.js"]))).toContain("expected a default export that is a function");
    module("shape.js", "export default () => ({ name: 'Shape!', messageTypes: { a: { category: 'gossip', bytes: 'big' } } });");
    const shape = problem(scenarioWith("shape", ["type: shape", "module: ./shape.js"]));
    expect(shape).toContain("name: expected lowercase letters");
    expect(shape).toContain("create: expected a function");
    expect(shape).toContain('messageTypes.a.category: expected "lookup", "maintenance" or "broadcast", got "gossip"');
    module("other-name.js", TINY("other-name"));
    expect(problem(scenarioWith("mismatch", ["type: mine", "module: ./other-name.js"]))).toContain('is named "other-name", but the scenario\'s type is "mine"');
  });

  it("may not take a built-in overlay's name, nor a name another file registered", () => {
    module("chord.js", TINY("chord"));
    expect(problem(scenarioWith("builtin", ["type: chord", "module: ./chord.js"]))).toContain("belongs to a built-in overlay");
    module("twin-a.js", TINY("twin"));
    module("twin-b.js", TINY("twin"));
    loadScenario(scenarioWith("twin-a", ["type: twin", "module: ./twin-a.js"]));
    expect(problem(scenarioWith("twin-b", ["type: twin", "module: ./twin-b.js"]))).toContain("already taken by the plug-in");
  });

  it("must support what the workload asks of them", () => {
    module("quiet.js", TINY("quiet"));
    const lookups = file("lookups.yaml", ["duration: 2m", "peers: { count: 20 }", "overlay: { type: quiet, module: ./quiet.js }", "workload: { lookups: { rate: 1/s } }"]);
    expect(problem(lookups)).toContain("workload.lookups: the quiet overlay cannot look keys up");
    const chordBroadcast = file("chord-broadcast.yaml", ["duration: 2m", "peers: { count: 20 }", "overlay: { type: chord }", "workload: { broadcasts: { rate: 1/s } }"]);
    expect(problem(chordBroadcast)).toContain("workload.broadcasts: the chord overlay cannot broadcast; overlays that can: unstructured");
  });
});

/**
 * A plug-in that stores with the building blocks the built-in overlays share
 * (the `shared` it is handed): each key lives on its publisher's computer in
 * an item ledger, a lookup fetches it from there with fetchFrom (the runtime
 * judges the value), and requesters keep copies in a CopyCache; its
 * deliver is a handler map.
 */
const HOME_STORE = `export default ({ fields, shared }) => ({
  name: "home-store",
  description: "Each key lives on its publisher's computer; a lookup fetches it from there.",
  options: { cache: fields.integer(0, 100).default(2) },
  messageTypes: { get: { category: "lookup", bytes: 40 }, got: { category: "lookup", bytes: 40 } },
  create(options, ctx, world) {
    const ledger = new shared.ItemLedger(world.keyCount, "disk");
    const cache = new shared.CopyCache(ledger, options.cache);
    const publishers = new shared.Publishers(world.allPeers, world.keyCount);
    const publisherOf = (key) => world.allPeers[key % world.allPeers.length];
    for (const peer of world.allPeers) for (const key of publishers.itemsOf(peer)) ledger.add(peer, key, true);
    const running = new Set();
    const isGot = (m) => m.type === "got";
    return {
      join: (peer) => ledger.setOnline(peer, true),
      leave: (peer) => ledger.setOnline(peer, false),
      crash: (peer) => ledger.setOnline(peer, false),
      deliver: shared.dispatcher("home-store", {
        get: (to, from, msg) => ctx.reply(to, from, msg, { type: "got", lookup: msg.lookup, found: ledger.holds(to, msg.key), value: ctx.valueFrom(to, msg.key) }),
        ...shared.answersOnly("home-store", ["got"]),
      }),
      lookup(peer, key, id) {
        if (ledger.holds(peer, key)) return ctx.lookupSucceeded(id, 0);
        running.add(id);
        shared.fetchFrom(ctx, peer, publisherOf(key), id, key, 1, { type: "get", key, lookup: id }, isGot, 5000, {
          live: () => running.has(id),
          done: () => { running.delete(id); cache.keep(peer, key); },
          refused: () => { running.delete(id); ctx.lookupFailed(id); },
          timedOut: () => { if (running.delete(id)) ctx.lookupFailed(id); },
        });
      },
      lookupAbandoned: (peer, id) => running.delete(id),
      availability: () => ({ stored: ledger.storedCount(), available: ledger.availableCount() }),
    };
  },
});
`;

describe("plug-in overlays use the shared building blocks", () => {
  it("are handed the classes the built-in overlays use, the IPFS overlay's message namespace and the handler map among them", () => {
    expect(Object.keys(SHARED)).toEqual(["ItemLedger", "CopyCache", "Publishers", "fetchFrom", "Namespace", "dispatcher", "answersOnly"]);
  });

  it("stores in the item ledger, fetches with fetchFrom and keeps copies: lookups succeed when a holder is online", () => {
    module("home-store.js", HOME_STORE);
    const path = file("home-store.yaml", [
      "seed: 4",
      "duration: 20m",
      "peers: { count: 60, joinOver: 1m }",
      "churn: { model: sessions, session: { distribution: exponential, mean: 10m }, offline: { distribution: exponential, mean: 10m } }",
      "overlay: { type: home-store, module: ./home-store.js, cache: 2 }",
      "workload: { keys: 120, lookups: { rate: 2/s }, timeout: 10s }",
      "metrics: { warmup: 2m, interval: 2m }",
    ]);
    const runOnce = () => {
      const simulation = new Simulation(loadScenario(path));
      simulation.runToEnd();
      return resultFiles(simulation, { scenarioFile: path, complete: true });
    };
    const files = runOnce();
    const summary = JSON.parse(files["summary.json"]!) as { lookups: { started: number; successRatio: number } };
    // About half the pool is online at a time, so about half the publishers; copies add a little.
    expect(summary.lookups.started).toBeGreaterThan(2000);
    expect(summary.lookups.successRatio).toBeGreaterThan(0.45);
    expect(summary.lookups.successRatio).toBeLessThan(0.8);
    const rows = files["timeseries.csv"]!.trim().split("\n");
    const header = rows[0]!.split(",");
    const stored = header.indexOf("items_stored");
    const available = header.indexOf("items_available");
    expect(stored).toBeGreaterThan(0);
    for (const row of rows.slice(1)) {
      const cells = row.split(",").map(Number);
      expect(cells[stored]).toBe(120);
      expect(cells[available]).toBeLessThanOrEqual(120);
      expect(cells[available]).toBeGreaterThan(40);
    }
    expect(runOnce()["summary.json"]).toBe(files["summary.json"]);
  });
});

