import type { z } from "zod";
import type { FamilyMember } from "../core/component.js";
import type { ZipfSampler } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Overlay } from "../core/protocol.js";
import type { Population } from "../peers/population.js";
import type { BroadcastWatch } from "./broadcast-watch.js";
import type { LookupOperations } from "./lookup-operations.js";

/**
 * The contract of a workload, an operation kind peers perform (lookups,
 * broadcasts): the family shape of sim/core/component.ts. Its `schema` holds
 * the fields it adds to the scenario's `workload:` section (registry.ts
 * composes them after the key space), its `check` says which overlays can
 * carry it, and `create` makes what issues its operations during the run.
 * Adding a workload is one file and one line in registry.ts.
 */

/** What a workload acts on. The operation bookkeeping (deadlines, watch windows) is built with the measurement, before the overlay. */
export interface WorkloadRun {
  sim: Simulator;
  population: Population;
  overlay: Overlay<any>;
  /** The overlay's name (overlay.type), for messages. */
  overlayName: string;
  /** A random stream of the run's seed by name: a workload's draws never shift another's. */
  stream(name: string): Rng;
  /** Which key an operation is about: rank 0 is the most popular key. */
  keys: ZipfSampler;
  lookups: LookupOperations;
  /** Present in runs that broadcast (workload.broadcasts, or an overlay that starts broadcasts). */
  broadcasts: BroadcastWatch | undefined;
  warmupMs: number;
  durationMs: number;
}

/** The operations a workload issues, installed on the simulator once the overlay exists. */
export interface InstalledWorkload {
  install(): void;
}

/** Facts of the rest of the scenario a workload's checks use. */
export interface WorkloadScenario {
  overlayType: string;
  /** Whether the scenario's overlay declares message types of this category (that is how it says which operations it carries). */
  overlaySupports(category: "lookup" | "broadcast"): boolean;
  /** Every registered overlay that does, for the message. */
  overlaysThatSupport(category: "lookup" | "broadcast"): string[];
}

export type AddIssue = (path: (string | number)[], message: string) => void;

export interface WorkloadKind<Schema extends z.ZodObject = z.ZodObject> extends FamilyMember<Schema> {
  /** Checks against the overlay, each issue with its path under `workload`. */
  check?(section: z.output<Schema>, scenario: WorkloadScenario, issue: AddIssue): void;
  /** What issues this kind's operations, or undefined if the scenario asks for none. */
  create(section: z.output<Schema>, run: WorkloadRun): InstalledWorkload | undefined;
}

/** A workload kind, typed by its schema. */
export function workloadKind<S extends z.ZodObject>(kind: WorkloadKind<S>): WorkloadKind<S> {
  return kind;
}
