import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Buckets } from "../../../sim/overlays/kademlia/buckets.js";
import { KadIds } from "../../../sim/overlays/kademlia/ids.js";

function table(options: Partial<{ k: number; b: number; replacements: number; staleAfter: number }> = {}, bits = 160, peers = 2000) {
  const ids = new KadIds(bits, peers);
  const buckets = new Buckets(ids, { k: 4, b: 1, replacements: 2, staleAfter: 1, ...options }, peers);
  return { ids, buckets };
}

/** Peers whose bucket in peer 0's table is `bucket`, in peer order. */
function peersInBucket(buckets: Buckets, bucket: number, count: number): number[] {
  const out: number[] = [];
  for (let p = 1; out.length < count; p++) if (buckets.bucketOf(0, p) === bucket) out.push(p);
  return out;
}

describe("k-buckets", () => {
  it("file a contact by the length of the shared prefix (b = 1) or by level and digit (b = 3)", () => {
    const { ids, buckets } = table();
    for (let p = 1; p < 200; p++) expect(buckets.bucketOf(0, p)).toBe(ids.commonPrefix(ids.ids, 0, ids.ids, p * ids.W));
    const b3 = table({ b: 3 }).buckets;
    for (let p = 1; p < 200; p++) {
      const cpl = ids.commonPrefix(ids.ids, 0, ids.ids, p * ids.W);
      const level = Math.floor(cpl / 3);
      const digitXor = ids.bitsAt(ids.ids, 0, level * 3, 3) ^ ids.bitsAt(ids.ids, p * ids.W, level * 3, 3);
      expect(digitXor).toBeGreaterThan(0);
      expect(b3.bucketOf(0, p)).toBe(level * 7 + digitXor - 1);
    }
    expect(buckets.bucketOf(0, 0)).toBe(-1);
  });

  it("keep least recently seen first, move a contact seen again to the tail", () => {
    const { buckets } = table();
    const [a, b, c] = peersInBucket(buckets, 0, 3);
    for (const p of [a!, b!, c!]) expect(buckets.seen(0, p)).toBe(-1);
    expect(buckets.bucket(0, 0)).toEqual([a, b, c]);
    buckets.seen(0, a!);
    expect(buckets.bucket(0, 0)).toEqual([b, c, a]);
    expect(buckets.contactCount[0]).toBe(3);
  });

  it("ping the oldest of a full bucket once, keep newcomers in the replacement cache, replace on failure", () => {
    const { buckets } = table();
    const p = peersInBucket(buckets, 0, 8);
    for (let i = 0; i < 4; i++) buckets.seen(0, p[i]!);
    // Full: the newcomer waits, the oldest is to be pinged.
    expect(buckets.seen(0, p[4]!)).toBe(p[0]);
    expect(buckets.added).toBe(false);
    // A ping is already out: no second one.
    expect(buckets.seen(0, p[5]!)).toBe(-1);
    expect(buckets.replacementsOf(0, 0)).toEqual([p[4], p[5]]);
    // The cache keeps the 2 most recently seen.
    buckets.seen(0, p[6]!);
    expect(buckets.replacementsOf(0, 0)).toEqual([p[5], p[6]]);
    // The oldest did not answer: the newest replacement takes a slot at the tail.
    buckets.pingDone(0, p[0]!);
    expect(buckets.failed(0, p[0]!)).toBe(true);
    expect(buckets.bucket(0, 0)).toEqual([p[1], p[2], p[3], p[6]]);
    expect(buckets.replacementsOf(0, 0)).toEqual([p[5]]);
    // The oldest answers this time: it moves to the tail and stays.
    expect(buckets.seen(0, p[7]!)).toBe(p[1]);
    buckets.pingDone(0, p[1]!);
    buckets.seen(0, p[1]!);
    expect(buckets.bucket(0, 0)).toEqual([p[2], p[3], p[6], p[1]]);
    expect(buckets.contactCount[0]).toBe(4);
  });

  it("drop a failing contact with no replacement only after staleAfter failures in a row", () => {
    const { buckets } = table({ staleAfter: 3 });
    const [a, b] = peersInBucket(buckets, 1, 2);
    buckets.seen(0, a!);
    buckets.seen(0, b!);
    expect(buckets.failed(0, a!)).toBe(false);
    expect(buckets.failed(0, a!)).toBe(false);
    buckets.seen(0, a!); // heard from again: the count starts over
    expect(buckets.failed(0, a!)).toBe(false);
    expect(buckets.failed(0, a!)).toBe(false);
    expect(buckets.failed(0, a!)).toBe(true);
    expect(buckets.bucket(0, 1)).toEqual([b]);
  });

  for (const b of [1, 2, 3]) {
    it(`b = ${b}: closest() returns exactly the k closest contacts (checked by sorting)`, () => {
      const { ids, buckets } = table({ k: 5, b, replacements: 0 }, 64, 3000);
      for (let p = 1; p < 3000; p++) buckets.seen(0, p);
      const W = ids.W;
      const contacts: number[] = [];
      buckets.forEachContact(0, (c) => contacts.push(c));
      expect(contacts.length).toBe(buckets.contactCount[0]);
      const out = new Int32Array(20);
      for (let target = 3000; target < 3200; target++) {
        const t = ids.ids;
        ids.ensure(target);
        const to = target * W;
        const want = 1 + (target % 20);
        const exclude = contacts[target % contacts.length]!;
        const n = buckets.closest(0, ids.ids, to, want, exclude, out);
        const expected = contacts
          .filter((c) => c !== exclude)
          .sort((x, y) => ids.cmpDistance(ids.ids, to, ids.ids, x * W, ids.ids, y * W))
          .slice(0, want);
        expect(Array.from(out.subarray(0, n)).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
        void t;
      }
    });
  }

  it("recycle a peer's slabs when it resets", () => {
    const { buckets } = table();
    for (let p = 1; p < 100; p++) buckets.seen(0, p);
    const before = buckets.contactCount[0]!;
    expect(before).toBeGreaterThan(10);
    buckets.reset(0);
    expect(buckets.contactCount[0]).toBe(0);
    expect(buckets.maxLevel[0]).toBe(-1);
    for (let p = 1; p < 100; p++) buckets.seen(0, p);
    expect(buckets.contactCount[0]).toBe(before);
  });
});

/**
 * The update rule of §2.2 and §4.1 on plain arrays, per bucket: what
 * BucketTable keeps in its slabs (a full bucket's replacement cache moves
 * the bucket to new slabs, which must carry its fail counts, ping flag and
 * last lookup along).
 */
class ModelBuckets {
  private readonly lists = new Map<number, { contacts: number[]; fails: number[]; cache: number[]; pinging: boolean; lastLookup: number }>();
  constructor(private readonly o: { k: number; replacements: number; staleAfter: number; pings: boolean }) {}
  private of(bucket: number) {
    let l = this.lists.get(bucket);
    if (l === undefined) this.lists.set(bucket, (l = { contacts: [], fails: [], cache: [], pinging: false, lastLookup: 0 }));
    return l;
  }
  seen(bucket: number, c: number): number {
    const l = this.of(bucket);
    const i = l.contacts.indexOf(c);
    if (i >= 0) {
      l.contacts.splice(i, 1);
      l.fails.splice(i, 1);
      l.contacts.push(c);
      l.fails.push(0);
      return -1;
    }
    if (l.contacts.length < this.o.k) {
      l.contacts.push(c);
      l.fails.push(0);
      return -1;
    }
    if (this.o.replacements === 0) return -1;
    const j = l.cache.indexOf(c);
    if (j >= 0) l.cache.splice(j, 1);
    else if (l.cache.length === this.o.replacements) l.cache.shift();
    l.cache.push(c);
    if (!this.o.pings || l.pinging) return -1;
    l.pinging = true;
    return l.contacts[0]!;
  }
  failed(bucket: number, c: number): boolean {
    const l = this.lists.get(bucket);
    if (l === undefined) return false;
    const i = l.contacts.indexOf(c);
    if (i < 0) {
      const j = l.cache.indexOf(c);
      if (j >= 0) l.cache.splice(j, 1);
      return false;
    }
    l.fails[i]!++;
    if (l.cache.length === 0 && l.fails[i]! < this.o.staleAfter) return false;
    l.contacts.splice(i, 1);
    l.fails.splice(i, 1);
    if (l.cache.length > 0) {
      l.contacts.push(l.cache.pop()!);
      l.fails.push(0);
    }
    return true;
  }
  pingDone(bucket: number): void {
    const l = this.lists.get(bucket);
    if (l !== undefined) l.pinging = false;
  }
  markLookup(bucket: number, nowMs: number): void {
    const l = this.lists.get(bucket);
    if (l !== undefined) l.lastLookup = nowMs;
  }
  lastLookupIn(bucket: number): number {
    const l = this.lists.get(bucket);
    return l === undefined ? -Infinity : l.lastLookup;
  }
  bucket(bucket: number): number[] {
    return this.lists.get(bucket)?.contacts ?? [];
  }
  cache(bucket: number): number[] {
    return this.lists.get(bucket)?.cache ?? [];
  }
  reset(): void {
    this.lists.clear();
  }
}

describe("the update rule, against a model on plain arrays", () => {
  it("agree on buckets, replacement caches, pings, drops and last lookups, whatever the order (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("seen" as const), peer: fc.integer({ min: 0, max: 3 }), contact: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant("failed" as const), peer: fc.integer({ min: 0, max: 3 }), contact: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant("pingDone" as const), peer: fc.integer({ min: 0, max: 3 }), contact: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant("lookup" as const), peer: fc.integer({ min: 0, max: 3 }), contact: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant("reset" as const), peer: fc.integer({ min: 0, max: 3 }), contact: fc.constant(0) }),
    );
    const setting = fc.record({
      b: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 5 }),
      replacements: fc.integer({ min: 0, max: 4 }),
      staleAfter: fc.integer({ min: 1, max: 3 }),
      probe: fc.constantFrom("immediate" as const, "delayed" as const),
      ops: fc.array(op, { minLength: 50, maxLength: 300 }),
    });
    fc.assert(
      fc.property(setting, ({ b, k, replacements, staleAfter, probe, ops }) => {
        const ids = new KadIds(16, 200);
        const buckets = new Buckets(ids, { k, b, replacements, staleAfter, probe }, 200);
        const models = [0, 1, 2, 3].map(() => new ModelBuckets({ k, replacements, staleAfter, pings: probe === "immediate" }));
        const W = ids.W;
        ops.forEach(({ kind, peer, contact }, time) => {
          const model = models[peer]!;
          const bucket = buckets.bucketOf(peer, contact);
          if (kind === "reset") {
            buckets.reset(peer);
            model.reset();
            return;
          }
          if (bucket < 0) return;
          if (kind === "seen") expect(buckets.seen(peer, contact)).toBe(model.seen(bucket, contact));
          else if (kind === "failed") expect(buckets.failed(peer, contact)).toBe(model.failed(bucket, contact));
          else if (kind === "pingDone") {
            buckets.pingDone(peer, contact);
            model.pingDone(bucket);
          } else {
            buckets.markLookup(peer, ids.ids, contact * W, time + 1);
            model.markLookup(bucket, time + 1);
          }
          expect(buckets.bucket(peer, bucket)).toEqual(model.bucket(bucket));
          expect(buckets.replacementsOf(peer, bucket)).toEqual(model.cache(bucket));
          expect(buckets.lastLookupIn(peer, bucket)).toBe(model.lastLookupIn(bucket));
        });
        for (let peer = 0; peer < 4; peer++) {
          let total = 0;
          for (let bucket = 0; bucket < buckets.totalBuckets; bucket++) {
            expect(buckets.bucket(peer, bucket)).toEqual(models[peer]!.bucket(bucket));
            total += models[peer]!.bucket(bucket).length;
          }
          expect(buckets.contactCount[peer]).toBe(total);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("hand-over decisions by counting", () => {
  /**
   * The decision storage.offerTo made before it counted: the holder is the
   * closest it knows (the newcomer aside), and the newcomer is closer than
   * the k-th closest of its other contacts (or it knows fewer than k).
   */
  function byClosest(buckets: Buckets, ids: KadIds, holder: number, t: Uint32Array, newcomer: number, k: number) {
    const W = ids.W;
    const all = ids.ids;
    const near = new Int32Array(k);
    const holderClosest = !(buckets.closest(holder, t, 0, 1, newcomer, near) === 1 && ids.cmpDistance(t, 0, all, holder * W, all, near[0]! * W) > 0);
    const n = buckets.closest(holder, t, 0, k, newcomer, near);
    let newcomerNear = true;
    if (n === k) {
      let farthest = near[0]!;
      for (let i = 1; i < n; i++) if (ids.cmpDistance(t, 0, all, near[i]! * W, all, farthest * W) > 0) farthest = near[i]!;
      newcomerNear = ids.cmpDistance(t, 0, all, newcomer * W, all, farthest * W) < 0;
    }
    return { holderClosest, newcomerNear };
  }

  // Few bits make ids collide (ties in distance) and tables reach the last, narrower level.
  const setting = fc.record({
    bits: fc.constantFrom(8, 11, 40, 160),
    b: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 1, max: 6 }),
    replacements: fc.integer({ min: 0, max: 3 }),
    holder: fc.integer({ min: 0, max: 299 }),
    // Contacts the holder hears from (and, negated, fails to reach), in order.
    ops: fc.array(fc.integer({ min: -299, max: 299 }), { maxLength: 300 }),
    // Targets: random words, or a peer's own id.
    targets: fc.array(fc.oneof(fc.array(fc.nat(), { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 299 })), { minLength: 1, maxLength: 8 }),
    newcomers: fc.array(fc.integer({ min: 0, max: 299 }), { minLength: 1, maxLength: 6 }),
  });

  it("agree with closest() and a comparison, and with a count by brute force, on any table (property)", () => {
    fc.assert(
      fc.property(setting, ({ bits, b, k, replacements, holder, ops, targets, newcomers }) => {
        const ids = new KadIds(bits, 300);
        const buckets = new Buckets(ids, { k, b, replacements, staleAfter: 1 }, 300);
        for (const op of ops) {
          if (op >= 0) buckets.seen(holder, op);
          else buckets.failed(holder, -op);
        }
        const contacts: number[] = [];
        buckets.forEachContact(holder, (c) => contacts.push(c));
        const W = ids.W;
        const t = new Uint32Array(W);
        for (const target of targets) {
          if (typeof target === "number") t.set(ids.ids.subarray(target * W, target * W + W));
          else for (let w = 0; w < W; w++) t[w] = w === 0 ? target[w]! >>> ids.pad : target[w]!;
          // offerTo's newcomer is in the table; any other peer must be counted right too.
          for (const newcomer of [...newcomers, ...contacts.slice(0, 3)]) {
            if (newcomer === holder) continue;
            const old = byClosest(buckets, ids, holder, t, newcomer, k);
            expect(!buckets.hasCloserThanSelf(holder, t, 0, newcomer)).toBe(old.holderClosest);
            expect(buckets.countNoFarther(holder, t, 0, newcomer, k) < k).toBe(old.newcomerNear);
            const dist = (p: number) => (c: number) => ids.cmpDistance(t, 0, ids.ids, c * W, ids.ids, p * W);
            const others = contacts.filter((c) => c !== newcomer);
            expect(buckets.hasCloserThanSelf(holder, t, 0, newcomer)).toBe(others.some((c) => dist(holder)(c) < 0));
            for (const limit of [1, k, 1000]) {
              expect(buckets.countNoFarther(holder, t, 0, newcomer, limit)).toBe(Math.min(limit, others.filter((c) => dist(newcomer)(c) <= 0).length));
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
