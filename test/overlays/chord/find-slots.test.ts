import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FindSlots } from "../../../sim/overlays/chord/find-slots.js";

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
            for (const n of [slots.candidatesN, slots.ownersN, slots.answeredN, slots.deadN, slots.askedN, slots.namedN]) expect(n[slot]).toBe(0);
            expect(slots.waiting[slot]).toBe(0);
            expect(slots.target[slot]).toBe(null);
            expect(slots.lookup[slot]).toBe(-1);
            expect(slots.hops[slot]).toBe(0);
            o.items.forEach((x, k) => (slots.candidates[slot]![k] = x));
            slots.candidatesN[slot] = o.items.length;
            o.items.forEach((x, k) => (slots.named[slot]![k] = x));
            slots.namedN[slot] = o.items.length;
            slots.waiting[slot] = 1;
            slots.target[slot] = new Uint32Array(1);
            slots.hops[slot] = o.items.length;
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
            expect(slots.origin[slot]).toBe(f.origin);
            expect(slots.candidates[slot]!.slice(0, slots.candidatesN[slot])).toEqual(f.items);
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

  it("refuses to free a slot twice", () => {
    const slots = new FindSlots(() => ({ reply: () => {}, timeout: () => {} }));
    const slot = slots.take(3);
    slots.release(slot);
    expect(() => slots.release(slot)).toThrow(/released twice/);
  });
});
