import { describe, expect, it } from "vitest";
import { LastArrivals } from "../../../sim/network/carriers/last-arrivals.js";

describe("LastArrivals", () => {
  it("keeps the latest time per (sender, receiver) until that delivery arrives", () => {
    const last = new LastArrivals();
    expect(last.latest(1, 2)).toBe(0);
    last.set(1, 2, 10.5);
    last.set(2, 1, 7);
    last.set(1, 2, 12.25);
    expect(last.latest(1, 2)).toBe(12.25);
    last.deleteIfLast(1, 2, 10.5); // an earlier delivery arrives: a later one is still on the way
    expect(last.latest(1, 2)).toBe(12.25);
    last.deleteIfLast(1, 2, 12.25);
    expect(last.latest(1, 2)).toBe(0);
    expect(last.latest(2, 1)).toBe(7);
  });

  it("reuses the room of forgotten pairs through many transfers", () => {
    const last = new LastArrivals();
    for (let i = 0; i < 5000; i++) last.set(i % 3000, i % 7, i);
    for (let i = 0; i < 5000; i++) last.deleteIfLast(i % 3000, i % 7, i);
    for (let i = 0; i < 3000; i++) expect(last.latest(i, i % 7)).toBe(0);
    last.set(5, 5, 1);
    expect(last.latest(5, 5)).toBe(1);
  });
});
