import type { z } from "zod";
import { strict } from "../core/fields.js";
import { broadcasts } from "./broadcasts.js";
import type { AddIssue, InstalledWorkload, WorkloadKind, WorkloadRun, WorkloadScenario } from "./kind.js";
import { keySpaceFields } from "./key-space.js";
import { lookups } from "./lookups.js";

/**
 * The workloads, the operation kinds peers perform (workload.<name>). The
 * `workload:` section is the key space followed by every kind's fields, in
 * this order; its checks, `peerlab list` and the run's workload stage come
 * from this list. A new operation kind is its file and one line here.
 */
export const WORKLOADS = [lookups, broadcasts] as const satisfies readonly WorkloadKind<any>[];

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type KindFields = UnionToIntersection<(typeof WORKLOADS)[number]["schema"]["shape"]>;

const kindFields = Object.assign({}, ...WORKLOADS.map((w) => w.schema.shape)) as KindFields;

/** The `workload:` section of a scenario. */
export const workloadSchema = strict({ ...keySpaceFields, ...kindFields });

export type WorkloadSection = z.output<typeof workloadSchema>;

/** Every workload's checks against the overlay, with paths under `workload`. */
export function checkWorkloads(section: WorkloadSection, scenario: WorkloadScenario, addIssue: AddIssue): void {
  for (const kind of WORKLOADS as readonly WorkloadKind<any>[]) kind.check?.(section, scenario, (path, message) => addIssue(["workload", ...path], message));
}

/** The run's workloads, in registry order (which is also the order of their first events). */
export function createWorkloads(section: WorkloadSection, run: WorkloadRun): InstalledWorkload[] {
  return (WORKLOADS as readonly WorkloadKind<any>[]).flatMap((kind) => kind.create(section, run) ?? []);
}
