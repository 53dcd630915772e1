import { duration } from "../../core/fields.js";

/** Fields every fault kind's schema shares: when it strikes and when its window ends. */

export const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

export const at = () =>
  duration({ positive: false, example: "10m" }).meta({ description: `When the fault strikes, in simulated time. A duration ≥ 0 like "10m" ${UNITS}.` });

export const until = (what: string) =>
  duration({ example: "15m" })
    .optional()
    .meta({ description: `When ${what}, in simulated time (after \`at\`). A duration like "15m" ${UNITS}; without it, never.` });
