import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Text from result files goes into the page as text: the viewer's source never writes HTML. */
describe("viewer source", () => {
  const root = join(import.meta.dirname, "..", "..", "viz", "src");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

  it("has no innerHTML, outerHTML, insertAdjacentHTML, document.write or d3 .html()", () => {
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(join(root, f), "utf8");
      expect(text, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\.html\(/);
    }
  });
});
