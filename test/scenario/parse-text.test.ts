import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/core/errors.js";
import { parseScenarioText } from "../../sim/scenario/parse-text.js";

function refusal(text: string, file = "s.yaml"): string {
  try {
    parseScenarioText(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected the text to be refused");
}

describe("reading scenario text", () => {
  it("names the field of a duplicate key and both lines, in YAML and JSON", () => {
    expect(refusal("name: t\nduration: 2m\nduration: 3m\n")).toContain("s.yaml: not valid YAML at line 3, column 1: the field duration is written twice (line 2 and line 3)");
    expect(refusal("peers:\n  count: 5\n  joinOver: 1s\n  count: 7\n")).toContain("at line 4, column 3: the field peers.count is written twice (line 2 and line 4)");
    expect(refusal('{"peers": {"count": 5, "count": 6}}', "s.json")).toContain("s.json: not valid JSON at line 1, column 24: the field peers.count is written twice");
  });

  it("shows a code frame, and a hint for a { left open on an earlier line", () => {
    const message = refusal("name: t\nduration: 2m\npeers: {count: 5\noverlay: {type: unstructured}\n");
    expect(message).toContain('Hint: line 3 opens a { that is not closed on that line');
    expect(message).toContain('add "}" at the end of line 3');
    expect(message.split("\n").slice(1)).toEqual(["  2 | duration: 2m", "  3 | peers: {count: 5", "  4 | overlay: {type: unstructured}", "    | ^"]);
  });

  it("refuses alias bombs, aliases without an anchor and keys that are lists", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 6 }, (_, i) => `${"bcdefg"[i]}: &${"bcdefg"[i]} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]`)].join("\n");
    expect(refusal(bomb)).toContain('aliases (*name) expand to more than 1000 copies of anchored values (a "billion laughs" alias bomb?)');
    expect(refusal("a: 1\nb: *nowhere\n")).toContain("the alias *nowhere refers to no anchor");
    expect(refusal("? [a, b]\n: 1\n")).toContain("is a list or mapping; field names are plain words");
  });

  it("refuses nesting deeper than a scenario needs, without overflowing the stack", () => {
    expect(refusal(`a: ${"[".repeat(50_000)}${"]".repeat(50_000)}`)).toContain("nested more than 32 levels deep");
    let block = "overlay:\n";
    for (let i = 1; i <= 40; i++) block += `${"  ".repeat(i)}x:\n`;
    expect(refusal(block + `${"  ".repeat(41)}y: 1\n`)).toMatch(/nested more than 32 levels deep .*\(at overlay\.x\.x/);
  });

  it("reads what a scenario needs, anchors and aliases included", () => {
    expect(parseScenarioText("base: &b { count: 5 }\npeers: *b\nlist: [1, 2]\n", "ok.yaml")).toEqual({ base: { count: 5 }, peers: { count: 5 }, list: [1, 2] });
  });
});
