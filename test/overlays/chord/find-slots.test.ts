import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANSWERED, ASKED, CANDIDATES, DEAD, FindSlots, HOPS, LOOKUP, NAMED, ORIGIN, OWNERS, WAITING } from "../../../sim/overlays/chord/find-slots.js";

/** FindSlots against the simple version: a map from slot to its origin and the lists written into it. */
describe("FindSlots", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("take" as const), origin: fc.integer({ min: 0, max: 40 }), items: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 5 }) }),
    fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("releaseAllOf" as const), origin: fc.integer({ min: 0, max: 40 }) }),
  );

  it("hands out distinct slots, frees them one by one or by origin, and gives each new find empty lists and no request in flight (property)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const made: number[] = [];
        const slots = new FindSlots((slot) => {
          made.push(slot);
          return { reply: () => {}, timeout: () => {} };
        });
        // The simple version: slot → what the find in it holds.
        const model = new Map<number, { origin: number; items: number[] }>();
        for (const o of ops) {
          if (o.kind === "take") {
            const slot = slots.take(o.origin);
            expect(model.has(slot)).toBe(false);
            // A reused slot starts empty: every list's length is 0.
            for (const list of [CANDIDATES, OWNERS, ANSWERED, DEAD, ASKED, NAMED]) expect(slots.length(slot, list)).toBe(0);
            expect(slots.get(slot, WAITING)).toBe(0);
            expect(slots.target[slot]).toBe(null);
            expect(slots.get(slot, LOOKUP)).toBe(-1);
            expect(slots.get(slot, HOPS)).toBe(0);
            for (const x of o.items) slots.push(slot, CANDIDATES, x);
            for (const x of o.items) slots.push(slot, NAMED, x);
            slots.set(slot, WAITING, 1);
            slots.target[slot] = new Uint32Array(1);
            slots.set(slot, HOPS, o.items.length);
            model.set(slot, { origin: o.origin, items: o.items });
          } else if (o.kind === "release") {
            const live = [...model.keys()].sort((a, b) => a - b);
            if (live.length === 0) continue;
            const slot = live[o.pick % live.length]!;
            slots.release(slot);
            model.delete(slot);
          } else {
            slots.releaseAllOf(o.origin);
            for (const [slot, f] of model) if (f.origin === o.origin) model.delete(slot);
          }
          expect(slots.size).toBe(model.size);
          for (const [slot, f] of model) {
            expect(slots.inUse(slot)).toBe(true);
            expect(slots.get(slot, ORIGIN)).toBe(f.origin);
            expect(slots.slice(slot, CANDIDATES, 0, slots.length(slot, CANDIDATES))).toEqual(f.items);
            expect(slots.slice(slot, NAMED, 0, slots.length(slot, NAMED))).toEqual(f.items);
          }
          for (let origin = 0; origin <= 40; origin++) {
            const expected = [...model].filter(([, f]) => f.origin === origin).map(([slot]) => slot);
            expect(slots.slotsOf(origin).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
          }
        }
        // One pair of handlers per slot ever made, made once.
        expect(made).toEqual(Array.from({ length: slots.capacity }, (_, k) => k));
        expect(slots.reply.length).toBe(slots.capacity);
        expect(slots.timeout.length).toBe(slots.capacity);
      }),
    );
  });

  it("keeps every find's lists apart and whole as they outgrow their records (property)", () => {
    // Each step appends to, pops from, or removes from one list of one of a few finds; the simple version is a plain array per list.
    const step = fc.record({
      find: fc.integer({ min: 0, max: 5 }),
      list: fc.constantFrom(CANDIDATES, OWNERS, ANSWERED, DEAD, ASKED, NAMED),
      kind: fc.constantFrom("push", "push", "push", "pop", "removeAt"),
      value: fc.integer({ min: -1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), (steps) => {
        const slots = new FindSlots(() => ({ reply: () => {}, timeout: () => {} }));
        const finds = Array.from({ length: 6 }, (_, k) => slots.take(k));
        const model = finds.map(() => new Map<number, number[]>());
        const listOf = (f: number, list: number): number[] => model[f]!.get(list) ?? model[f]!.set(list, []).get(list)!;
        for (const s of steps) {
          const slot = finds[s.find]!;
          const expected = listOf(s.find, s.list);
          if (s.kind === "push") {
            slots.push(slot, s.list, s.value);
            expected.push(s.value);
          } else if (expected.length === 0) continue;
          else if (s.kind === "pop") expect(slots.pop(slot, s.list)).toBe(expected.pop());
          else {
            const at = s.value % expected.length >= 0 ? s.value % expected.length : 0;
            slots.removeAt(slot, s.list, at);
            expected.splice(at, 1);
          }
          slots.set(slot, HOPS, s.value);
          expect(slots.get(slot, HOPS)).toBe(s.value);
        }
        finds.forEach((slot, f) => {
          expect(slots.get(slot, ORIGIN)).toBe(f);
          for (const list of [CANDIDATES, OWNERS, ANSWERED, DEAD, ASKED, NAMED]) {
            const expected = listOf(f, list);
            expect(slots.slice(slot, list, 0, slots.length(slot, list))).toEqual(expected);
            for (const x of expected) expect(slots.has(slot, list, x)).toBe(true);
          }
        });
      }),
    );
  });

  it("refuses to free a slot twice", () => {
    const slots = new FindSlots(() => ({ reply: () => {}, timeout: () => {} }));
    const slot = slots.take(3);
    slots.release(slot);
    expect(() => slots.release(slot)).toThrow(/released twice/);
  });
});
