import { z } from "zod";
import { duration, positiveNumber, probability, strict } from "../../core/fields.js";
import { at, until, UNITS } from "./fields.js";
import { faultKind } from "./kind.js";

/** `kind: degrade`: more loss, more latency or less link capacity for a window (Network.conditions). */

export const degrade = faultKind({
  name: "degrade",
  description: "loss and/or latency raised for a window",
  schema: strict({
    kind: z.literal("degrade"),
    at: at(),
    until: until("the network recovers"),
    loss: probability().optional().meta({ description: "Probability that a message is lost during the window (replaces network.loss)." }),
    extraLatency: duration({ positive: false, example: "200ms" })
      .optional()
      .meta({ description: `Added to every message's one-way delay during the window. A duration ≥ 0 like "200ms" ${UNITS}.` }),
    latencyFactor: positiveNumber({ max: 1e6 }).optional().meta({ description: "Every one-way delay is multiplied by this during the window (before extraLatency is added)." }),
    bandwidthFactor: positiveNumber({ max: 1e6 })
      .optional()
      .meta({ description: "Every link capacity (network.bandwidth) is multiplied by this during the window; transfers in flight get new rates at once." }),
  }).meta({ description: "Raises loss and/or latency, or scales link capacities, for a window." }),
  check(spec, _scenario, issue) {
    if (spec.loss === undefined && spec.extraLatency === undefined && spec.latencyFactor === undefined && spec.bandwidthFactor === undefined) {
      issue([], "expected at least one of loss, extraLatency, latencyFactor or bandwidthFactor");
    }
  },
  create: (spec) => ({
    begin(run) {
      const c = run.network.conditions;
      if (spec.loss !== undefined) c.loss = spec.loss;
      if (spec.latencyFactor !== undefined) c.latencyFactor = spec.latencyFactor;
      if (spec.extraLatency !== undefined) c.extraLatencyMs = spec.extraLatency;
      if (spec.bandwidthFactor !== undefined) run.network.setCapacityFactor(spec.bandwidthFactor);
      const parts = [
        spec.loss !== undefined ? `loss ${spec.loss}` : "",
        spec.latencyFactor !== undefined ? `latency ×${spec.latencyFactor}` : "",
        spec.extraLatency !== undefined ? `latency +${spec.extraLatency} ms` : "",
        spec.bandwidthFactor !== undefined ? `bandwidth ×${spec.bandwidthFactor}` : "",
      ].filter(Boolean);
      return { kind: "degrade", label: `network degraded: ${parts.join(", ")}` };
    },
    end(run) {
      const c = run.network.conditions;
      c.loss = undefined;
      c.latencyFactor = 1;
      c.extraLatencyMs = 0;
      if (spec.bandwidthFactor !== undefined) run.network.setCapacityFactor(1);
      return { kind: "recover", label: "network back to normal" };
    },
  }),
});
