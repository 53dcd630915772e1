import type { z } from "zod";
import type { ComponentDefinition } from "../../core/component.js";
import type { Rng } from "../../engine/rng.js";
import type { Simulator } from "../../engine/simulator.js";
import type { LatencyModel } from "../../network/latency.js";
import type { Network } from "../../network/network.js";
import type { Message, Overlay } from "../../core/protocol.js";
import type { PeerId, Population } from "../../peers/population.js";
import type { Lifecycle } from "../churn.js";

/**
 * The contract of a fault kind (scenario `faults[].kind`): the family shape of
 * sim/core/component.ts, whose `create` turns one validated fault into the
 * effect the timeline (timeline.ts) runs at `at` and, for faults with a
 * window, at `until`. A kind also owns the checks that need the rest of the
 * scenario. Adding a kind is one file beside this one and one line in
 * registry.ts.
 */

/** What every fault section has: when it strikes and, for faults with a window, when it ends (ms). */
export interface FaultTiming {
  readonly kind: string;
  readonly at: number;
  readonly until?: number | undefined;
}

/** The run a fault acts on: the same lifecycle, overlay and network code any run uses. */
export interface FaultRun {
  sim: Simulator;
  /** The faults' own random stream ("faults"). */
  rng: Rng;
  population: Population;
  network: Network;
  latency: LatencyModel;
  overlay: Overlay<Message>;
  lifecycle: Lifecycle;
  /** Tells churn a fault took `peer` down, so it plans the peer's return (see InstalledChurn). */
  departedEarly(peer: PeerId, rng: Rng): void;
  /** Size of the churn pool, for partitions by id of overlays without identifiers. */
  poolSize: number;
  /** The service peers of each role, and how to take one down and bring it back. */
  services: Readonly<Record<string, readonly PeerId[]>>;
  serviceDown(peer: PeerId): void;
  serviceUp(peer: PeerId): void;
  /** Stops (true) or resumes (false) the overlay's periodic maintenance (the runtime's `every` tasks). */
  freezeMaintenance(frozen: boolean): void;
  endMs: number;
}

/** The annotation a fault leaves when it begins or ends, drawn by the viewer on the time axes. */
export interface FaultNote {
  kind: string;
  label: string;
}

/** What one fault does to the run: built by its kind's `create`, run by the timeline. */
export interface FaultEffect {
  /** At `at`: strike, and say what happened. */
  begin(run: FaultRun): FaultNote;
  /** At `until`, if the fault has one and it falls within the run: undo, and say so. */
  end?(run: FaultRun): FaultNote;
  /** Why the fault cannot apply to this run (the field at fault and what is allowed), checked when it is installed. */
  misfit?(run: FaultRun): { field: string; message: string } | undefined;
  /** Counters the fault reports into, declared when the run is built so the columns exist from the start. */
  readonly counters?: readonly string[];
  /** True if the fault freezes periodic maintenance from `at` to `until`: the runtime then plans for it. */
  readonly freezesMaintenance?: boolean;
}

/** Facts of the rest of the scenario that a kind's checks may use. */
export interface FaultScenario {
  durationMs: number;
  latencyModel: string;
  overlayType: string;
  /** The overlay's service peers by role (e.g. the hybrid overlay's "index"). */
  services: readonly { readonly role: string; readonly count: number }[];
}

export type AddIssue = (path: (string | number)[], message: string) => void;

export interface FaultKind<Spec extends FaultTiming = any, Schema extends z.ZodObject = z.ZodObject> extends ComponentDefinition<FaultEffect, Spec, Schema> {
  /** Checks that need the rest of the scenario, each issue with its path under `faults[index]`. */
  check?(spec: Spec, scenario: FaultScenario, issue: AddIssue): void;
}

/** A fault kind, typed by its schema (as latency models are by theirs). */
export function faultKind<S extends z.ZodObject>(kind: {
  name: string;
  description: string;
  schema: S;
  check?: (spec: z.output<S>, scenario: FaultScenario, issue: AddIssue) => void;
  create: (spec: z.output<S>) => FaultEffect;
}): FaultKind<z.output<S> & FaultTiming, S> {
  return kind as FaultKind<z.output<S> & FaultTiming, S>;
}
