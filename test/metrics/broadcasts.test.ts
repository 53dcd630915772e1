import { describe, expect, it } from "vitest";
import { BroadcastStats, BroadcastTable } from "../../sim/metrics/broadcasts.js";

describe("BroadcastTable", () => {
  it("times 50/90/100 % of the audience from publication, ignoring repeats and late arrivals", () => {
    const table = new BroadcastTable();
    const id = table.open(1000, 7, 10); // the publisher counts as reached
    expect(table.reachedCount[id]).toBe(1);
    for (let peer = 0; peer < 4; peer++) table.reach(id, peer, 1000 + 10 * (peer + 1)); // 5 reached at 1040
    expect(table.t50[id]).toBe(40);
    expect(table.reach(id, 3, 1100)).toBe(false);
    for (const peer of [4, 5, 6, 8]) table.reach(id, peer, 1100 + peer); // 9 reached at 1108 (7 is the publisher)
    expect(table.t90[id]).toBe(108);
    expect(table.t100[id]).toBeNaN();
    table.close(id);
    expect(table.reach(id, 9, 1200)).toBe(false);
    expect(table.coverage(id)).toBe(0.9);
  });

  it("caps coverage at 1 when peers that joined later get the item too", () => {
    const table = new BroadcastTable();
    const id = table.open(0, 0, 2);
    table.reach(id, 1, 5);
    table.reach(id, 2, 6);
    expect(table.coverage(id)).toBe(1);
    expect(table.t100[id]).toBe(5);
  });
});

describe("BroadcastStats", () => {
  it("summarises only broadcasts published after the warm-up, and samples per interval", () => {
    const table = new BroadcastTable();
    const stats = new BroadcastStats(table, 100);
    const early = table.open(50, 0, 4);
    stats.started(50);
    const late = table.open(150, 1, 4);
    stats.started(150);
    for (const peer of [2, 3, 4]) table.reach(late, peer, 170);
    table.charge(late, 100);
    table.charge(late, 100);
    stats.closed(early);
    stats.closed(late);
    const row = stats.sample();
    expect(row).toMatchObject({ broadcasts_started: 2, broadcasts_closed: 2, broadcast_coverage_mean: (0.25 + 1) / 2 });
    expect(stats.sample().broadcasts_closed).toBe(0);
    const s = stats.summary();
    expect(s).toMatchObject({ started: 1, completed: 1, coverage: { mean: 1, min: 1 }, residueMean: 0, messagesPerPeer: 0.5, messagesPerBroadcast: 2 });
    expect(s.timeToMs.p100).toMatchObject({ reached: 1, share: 1, mean: 20 });
  });
});
