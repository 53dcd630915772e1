import { z } from "zod";
import { familyUnion } from "../../core/component.js";
import { crashRole } from "./crash-role.js";
import { crash } from "./crash.js";
import { degrade } from "./degrade.js";
import { flashCrowd } from "./flash-crowd.js";
import { freeze } from "./freeze.js";
import type { FaultKind } from "./kind.js";
import { partition } from "./partition.js";

/**
 * The fault kinds a timeline can name in faults[].kind, each in its own file
 * (docs/faults.md shows every one with an example). The `faults:` schema,
 * its checks, `peerlab list` and the timeline all come from this list: a new
 * kind is its file and one line here. The malicious peers of `adversaries:`
 * are not faults; their schema is beside their model, in
 * sim/peers/adversaries-schema.ts.
 */
export const FAULT_KINDS = [crash, crashRole, partition, degrade, freeze, flashCrowd] as const satisfies readonly FaultKind[];

export const faultSchema = familyUnion("kind", "a fault kind", FAULT_KINDS);

export const faultsSchema = z
  .array(faultSchema)
  .default([])
  .meta({ description: "A timeline of faults (see docs/faults.md): crashes, server outages, partitions, loss and latency, frozen maintenance, flash crowds." });

export type Fault = z.output<typeof faultSchema>;

export function findFaultKind(name: string): FaultKind | undefined {
  return FAULT_KINDS.find((k) => k.name === name);
}
