import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProviderRecords } from "../../../sim/overlays/kademlia/provider-records.js";

describe("provider records", () => {
  it("returns unexpired providers, the most recently announced last, at most limit of the most recent", () => {
    const r = new ProviderRecords();
    r.keep(0, 7, 1, 100, 0);
    r.keep(0, 7, 2, 200, 0);
    r.keep(0, 7, 3, 300, 0);
    r.keep(0, 7, 1, 400, 10); // re-announced: moves to the end
    expect(r.providers(0, 7, 20)).toEqual([2, 3, 1]);
    expect(r.providers(0, 7, 20, 2)).toEqual([3, 1]);
    expect(r.providers(0, 7, 250)).toEqual([3, 1]);
    expect(r.providers(1, 7, 0)).toEqual([]);
    // An older announcement does not shorten a record.
    r.keep(0, 7, 3, 250, 20);
    expect(r.providers(0, 7, 260)).toEqual([3, 1]);
  });

  it("removes expired records as new ones arrive, so they do not pile up", () => {
    const r = new ProviderRecords();
    for (let p = 0; p < 100; p++) r.keep(0, 1, p, 1000 + p, p);
    for (let p = 100; p < 200; p++) r.keep(0, 1, p, 10_000, 5000);
    expect(r.size).toBe(100);
    expect(r.providers(0, 1, 5000)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
  });

  it("answers like a Map per (server, key) re-inserting on announcement, whatever the sequence (property)", () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 25 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const r = new ProviderRecords();
        const ref = new Map<number, Map<number, number>>();
        let now = 0;
        for (const [read, server, key, provider, life, limit] of ops) {
          now += 1;
          const k = server * 10 + key;
          if (read) {
            const all = [...(ref.get(k) ?? [])].filter(([, e]) => e > now).map(([p]) => p);
            const want = limit === 0 ? all : all.slice(Math.max(0, all.length - limit));
            expect(r.providers(server, key, now, limit === 0 ? Infinity : limit)).toEqual(want);
          } else {
            let m = ref.get(k);
            if (!m) ref.set(k, (m = new Map()));
            const known = m.get(provider);
            if (known !== undefined && known > now && known >= now + life) continue;
            m.delete(provider);
            m.set(provider, now + life);
            r.keep(server, key, provider, now + life, now);
          }
        }
      }),
    );
  });
});
