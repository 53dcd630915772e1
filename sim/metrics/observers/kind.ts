import type { z } from "zod";
import type { FamilyMember } from "../../core/component.js";
import type { PeerId } from "../../core/peer.js";
import type { Message, Overlay } from "../../core/protocol.js";
import type { Simulator } from "../../engine/simulator.js";
import type { LookupTable } from "../lookups.js";
import type { FileContent } from "../writers.js";

/**
 * The contract of an observer, something that records a run (the
 * time-series intervals, lookup traces, snapshots): the family shape of
 * sim/core/component.ts. Its `schema` holds the fields it adds to the
 * scenario's `metrics:` section (registry.ts composes them in registry order).
 *
 * An observer is made in two stages, because what it watches is built in
 * between. `create` runs at the measurement stage, before the network: an
 * observer that follows messages offers its `traceMessage` there, for the
 * network to call. `start` runs at the observers stage, the last one, when
 * the overlay exists: the observer schedules its events then, so ties at
 * equal times follow the registry's order. Adding an observer is one file
 * and one line in registry.ts.
 */

/** What an observer can record from when it is made, before the network exists. */
export interface ObserverSetup {
  sim: Simulator;
  /** Every lookup of the run, as the network and the overlay fill it in. */
  lookups: LookupTable;
  /** End of the warm-up (metrics.warmup, ms). */
  warmupMs: number;
  /** Simulated time at which the run ends (ms). */
  endMs: number;
}

/** What an observer watches once the run is built. */
export interface ObserverRun {
  overlay: Overlay<Message>;
  /** Closes the time-series interval ending now: the recorder's row, with the overlay's, storage's and bandwidth's numbers. */
  closeInterval(): void;
  /** Starts the measured part of the run (the recorder's and the bandwidth meter's). */
  beginMeasurement(): void;
}

/** Facts of the rest of the scenario an observer's checks use. */
export interface ObserverScenario {
  durationMs: number;
}

export type AddIssue = (path: (string | number)[], message: string) => void;

/** The network calls this for every message sent on behalf of a lookup. */
export type MessageTrace = (nowMs: number, lookup: number, from: PeerId, to: PeerId, type: string) => void;

/** One observer of one run, made by its kind's `create`. */
export interface Observer {
  /** Offered to the network when it is built; absent if the observer follows no messages. */
  readonly traceMessage?: MessageTrace;
  /** Schedules the observer's events; called once, at the observers stage. */
  start(run: ObserverRun): void;
  /** The result files it writes, by name, in the order they are listed; called once, after the run. */
  files?(): Record<string, FileContent>;
}

export interface ObserverKind<Schema extends z.ZodObject = z.ZodObject> extends FamilyMember<Schema> {
  /** Checks against the rest of the scenario, each issue with its path under `metrics`. */
  check?(section: z.output<Schema>, scenario: ObserverScenario, issue: AddIssue): void;
  /** The run's observer, or undefined if the scenario asks for nothing this kind records. */
  create(section: z.output<Schema>, setup: ObserverSetup): Observer | undefined;
}

/** An observer kind, typed by its schema. */
export function observerKind<S extends z.ZodObject>(kind: ObserverKind<S>): ObserverKind<S> {
  return kind;
}
