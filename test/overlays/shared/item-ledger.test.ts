import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ItemLedger, type ItemPersistence } from "../../../sim/overlays/shared/item-ledger.js";
import { Publishers } from "../../../sim/overlays/shared/publishers.js";

/** The same ledger as plain maps and sets, recomputed from scratch on every read. */
class ReferenceLedger {
  readonly held = new Map<number, Map<number, number>>();
  readonly online = new Set<number>();
  readonly everStored = new Set<number>();
  constructor(
    readonly items: number,
    readonly persistence: ItemPersistence,
  ) {}
  isOnline(peer: number): boolean {
    return this.persistence === "session" || this.online.has(peer);
  }
  add(peer: number, item: number, meta: number): boolean {
    let map = this.held.get(peer);
    if (!map) this.held.set(peer, (map = new Map()));
    if (map.has(item)) return false;
    map.set(item, meta);
    this.everStored.add(item);
    return true;
  }
  remove(peer: number, item: number): boolean {
    if (!this.held.get(peer)?.delete(item)) return false;
    return this.isOnline(peer) && this.onlineCopies(item) === 0;
  }
  setOnline(peer: number, online: boolean): number {
    if (this.persistence === "session") {
      if (online) return 0;
      const items = [...(this.held.get(peer)?.keys() ?? [])];
      this.held.delete(peer);
      return items.filter((item) => this.onlineCopies(item) === 0).length;
    }
    if (this.online.has(peer) === online) return 0;
    if (online) this.online.add(peer);
    else this.online.delete(peer);
    if (online) return 0;
    return [...(this.held.get(peer)?.keys() ?? [])].filter((item) => this.onlineCopies(item) === 0).length;
  }
  holders(item: number): number {
    let n = 0;
    for (const map of this.held.values()) if (map.has(item)) n++;
    return n;
  }
  onlineCopies(item: number): number {
    let n = 0;
    for (const [peer, map] of this.held) if (map.has(item) && this.isOnline(peer)) n++;
    return n;
  }
}

const PEERS = 8;
const ITEMS = 6;
const op = fc.oneof(
  fc.tuple(fc.constant("add" as const), fc.nat(PEERS - 1), fc.nat(ITEMS - 1)),
  fc.tuple(fc.constant("remove" as const), fc.nat(PEERS - 1), fc.nat(ITEMS - 1)),
  fc.tuple(fc.constant("up" as const), fc.nat(PEERS - 1), fc.constant(0)),
  fc.tuple(fc.constant("down" as const), fc.nat(PEERS - 1), fc.constant(0)),
);

function agreeAfter(persistence: ItemPersistence, ops: [string, number, number][]): void {
  const ledger = new ItemLedger<number>(ITEMS, persistence);
  const ref = new ReferenceLedger(ITEMS, persistence);
  ops.forEach(([kind, peer, item], step) => {
    if (kind === "add") expect(ledger.add(peer, item, step)).toBe(ref.add(peer, item, step));
    else if (kind === "remove") expect(ledger.remove(peer, item)).toBe(ref.remove(peer, item));
    else expect(ledger.setOnline(peer, kind === "up")).toBe(ref.setOnline(peer, kind === "up"));
  });
  for (let item = 0; item < ITEMS; item++) {
    expect(ledger.holdersOf(item)).toBe(ref.holders(item));
    expect(ledger.onlineCopiesOf(item)).toBe(ref.onlineCopies(item));
    expect(ledger.wasStored(item)).toBe(ref.everStored.has(item));
  }
  for (let peer = 0; peer < PEERS; peer++) {
    const map = ref.held.get(peer) ?? new Map<number, number>();
    expect(ledger.itemsOf(peer)).toEqual([...map.keys()]);
    expect(ledger.countOf(peer)).toBe(map.size);
    expect(ledger.isOnline(peer)).toBe(ref.isOnline(peer));
    for (let item = 0; item < ITEMS; item++) {
      expect(ledger.holds(peer, item)).toBe(map.has(item));
      expect(ledger.copyOf(peer, item)).toBe(map.get(item));
    }
  }
  const items = Array.from({ length: ITEMS }, (_, i) => i);
  expect(ledger.storedCount()).toBe(ref.everStored.size);
  expect(ledger.availableCount()).toBe(items.filter((i) => ref.onlineCopies(i) > 0).length);
  expect(ledger.heldCount()).toBe(items.filter((i) => ref.holders(i) > 0).length);
}

describe("ItemLedger", () => {
  it("keeps disk holdings across sessions: online copies follow the holder", () => {
    const ledger = new ItemLedger(3, "disk");
    expect(ledger.add(5, 1, true)).toBe(true);
    expect(ledger.add(5, 1, true)).toBe(false);
    expect(ledger.add(2, 1, true)).toBe(true);
    expect([ledger.holdersOf(1), ledger.onlineCopiesOf(1), ledger.availableCount()]).toEqual([2, 0, 0]);
    expect(ledger.setOnline(5, true)).toBe(0);
    expect([ledger.onlineCopiesOf(1), ledger.availableCount(), ledger.storedCount(), ledger.heldCount()]).toEqual([1, 1, 1, 1]);
    expect(ledger.setOnline(5, false)).toBe(1);
    expect([ledger.holdersOf(1), ledger.onlineCopiesOf(1), ledger.availableCount()]).toEqual([2, 0, 0]);
    expect(ledger.itemsOf(5)).toEqual([1]);
  });

  it("drops session holdings when the holder goes offline, and remembers what was ever stored", () => {
    const ledger = new ItemLedger<string>(4, "session");
    ledger.add(1, 0, "a");
    ledger.add(1, 3, "b");
    ledger.add(2, 3, "c");
    expect(ledger.copyOf(1, 3)).toBe("b");
    expect(ledger.setOnline(1, false)).toBe(1); // item 0 lost its only copy; item 3 is still on peer 2
    expect(ledger.itemsOf(1)).toEqual([]);
    expect([ledger.availableCount(), ledger.storedCount(), ledger.heldCount(), ledger.onlineCopiesOf(3)]).toEqual([1, 2, 1, 1]);
    expect(ledger.remove(2, 3)).toBe(true);
    expect([ledger.availableCount(), ledger.storedCount(), ledger.wasStored(3)]).toEqual([0, 2, true]);
  });

  it("agrees with a plain map-and-set model under any sequence of changes, disk persistence (property)", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => agreeAfter("disk", ops)));
  });

  it("agrees with a plain map-and-set model under any sequence of changes, session persistence (property)", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => agreeAfter("session", ops)));
  });
});

describe("Publishers", () => {
  it("deals items round-robin over the pool in its order", () => {
    const publishers = new Publishers([7, 3, 9], 7);
    expect(publishers.itemsOf(7)).toEqual([0, 3, 6]);
    expect(publishers.itemsOf(3)).toEqual([1, 4]);
    expect(publishers.itemsOf(9)).toEqual([2, 5]);
    expect(publishers.itemsOf(4)).toEqual([]);
    expect(publishers.firstItemOf(100)).toBe(-1);
  });

  it("gives no items to pool peers beyond the item count", () => {
    const publishers = new Publishers([0, 1, 2, 3], 2);
    expect(publishers.firstItemOf(3)).toBe(-1);
    expect(publishers.itemsOf(2)).toEqual([]);
  });
});
