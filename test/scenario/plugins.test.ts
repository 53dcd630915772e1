import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findOverlay } from "../../sim/overlays/registry.js";
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
