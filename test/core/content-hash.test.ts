import { describe, expect, it } from "vitest";
import { contentHash } from "../../sim/core/content-hash.js";

describe("contentHash", () => {
  it("is a fixed 32-bit mix of the key, never 0, distinct over small keys", () => {
    expect([contentHash(7), contentHash(42)]).toEqual([1655559385, 2599351197]);
    expect(new Set(Array.from({ length: 1000 }, (_, k) => contentHash(k))).size).toBe(1000);
    for (let k = 0; k < 1000; k++) expect(contentHash(k)).toBeGreaterThan(0);
  });
});
