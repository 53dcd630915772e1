import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { HostCache } from "../../sim/peers/bootstrap.js";
import { Population } from "../../sim/peers/population.js";

describe("Population", () => {
  it("tracks who is online, with a new session number each time", () => {
    const p = new Population();
    const ids = Array.from({ length: 3000 }, () => p.create()); // forces growth
    expect(ids[2999]).toBe(2999);
    p.markOnline(5);
    p.markOnline(9);
    expect(p.session(5)).toBe(1);
    p.markOffline(5);
    p.markOnline(5);
    expect(p.session(5)).toBe(2);
    expect(p.liveCount).toBe(2);
    expect([...p.livePeers()].sort()).toEqual([5, 9]);
    expect(() => p.markOnline(5)).toThrow("already online");
    expect(() => p.markOffline(7)).toThrow("not online");
  });

  it("keeps service peers online but out of the live set", () => {
    const p = new Population();
    for (let i = 0; i < 4; i++) p.create();
    p.markOnline(0);
    p.markServiceOnline(3);
    expect(p.isOnline(3)).toBe(true);
    expect(p.session(3)).toBe(1);
    expect(p.liveCount).toBe(1);
    expect([...p.livePeers()]).toEqual([0]);
    for (let i = 0; i < 100; i++) expect(p.randomLive(i / 100)).toBe(0); // never a lookup origin
    expect(() => p.markServiceOffline(0)).toThrow("not a service peer");
    p.markServiceOffline(3);
    expect(p.isOnline(3)).toBe(false);
    p.markServiceOnline(3); // a restart is a new session
    expect(p.session(3)).toBe(2);
    expect(p.liveCount).toBe(1);
  });

  it("samples live peers uniformly via swap-removal bookkeeping", () => {
    const p = new Population();
    for (let i = 0; i < 10; i++) p.markOnline(p.create());
    p.markOffline(0);
    p.markOffline(4);
    const rng = new Rng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 80_000; i++) {
      const peer = p.randomLive(rng.next());
      counts.set(peer, (counts.get(peer) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500); // ~5 sd
    expect(new Population().randomLive(0.5)).toBe(-1);
  });
});

describe("HostCache", () => {
  it("hands out recent peers other than the asker, evicting the oldest", () => {
    const cache = new HostCache(3, 2, new Rng(1));
    for (const peer of [1, 2, 3, 4]) cache.announce(peer); // 1 is evicted
    for (let i = 0; i < 20; i++) {
      const contacts = cache.contactsFor(3);
      expect(contacts).toHaveLength(2);
      expect(new Set(contacts)).toEqual(new Set([2, 4]));
    }
    expect(new HostCache(3, 2, new Rng(1)).contactsFor(1)).toEqual([]);
  });
});
