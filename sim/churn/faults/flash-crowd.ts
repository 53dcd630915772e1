import { z } from "zod";
import { duration, integer, strict } from "../../core/fields.js";
import type { PeerId } from "../../peers/population.js";
import { at, UNITS } from "./fields.js";
import { faultKind } from "./kind.js";

/** `kind: flash-crowd`: brand-new peers join over a short window, through the ordinary lifecycle. */

export const flashCrowd = faultKind({
  name: "flash-crowd",
  description: "n new peers join over a window",
  schema: strict({
    kind: z.literal("flash-crowd"),
    at: at(),
    joins: integer(1, 10_000_000).meta({ description: "Number of new peers that join." }),
    over: duration({ positive: false, example: "1m" })
      .prefault("0ms")
      .meta({ description: `They join evenly spread over this window, starting at \`at\`. A duration ≥ 0 like "1m" ${UNITS}.` }),
    stay: duration({ example: "10m" })
      .optional()
      .meta({ description: `Each newcomer leaves gracefully after this long online; without it, they stay to the end. A duration like "10m" ${UNITS}.` }),
  }).meta({ description: "Brings n brand-new peers online over a short window; they take part like any peer (they are never malicious)." }),
  create: (spec) => ({
    begin(run) {
      const gap = spec.joins > 1 ? spec.over / spec.joins : 0;
      for (let i = 0; i < spec.joins; i++) {
        const peer = run.lifecycle.create();
        run.sim.schedule(i * gap, (p: PeerId) => {
          run.lifecycle.join(p);
          if (spec.stay !== undefined) run.sim.schedule(spec.stay, (q: PeerId) => run.lifecycle.leave(q), p);
        }, peer);
      }
      return { kind: "flash-crowd", label: `flash crowd: ${spec.joins} peers join${spec.over > 0 ? ` over ${spec.over / 1000} s` : ""}` };
    },
  }),
});
