import type { z } from "zod";
import { strict } from "../../core/fields.js";
import type { FileContent } from "../writers.js";
import { intervals } from "./intervals.js";
import type { AddIssue, MessageTrace, Observer, ObserverKind, ObserverRun, ObserverScenario, ObserverSetup } from "./kind.js";
import { replay } from "./replay.js";

/**
 * The observers, what records a run. The `metrics:` section is every
 * observer's fields, in this order; `peerlab list` and the run's observers
 * stage come from this list, and the order is also the order in which they
 * schedule their events (ties at equal times follow it). A new observer is
 * its file and one line here.
 */
export const OBSERVERS = [intervals, replay] as const satisfies readonly ObserverKind<any>[];

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type ObserverFields = UnionToIntersection<(typeof OBSERVERS)[number]["schema"]["shape"]>;

const observerFields = Object.assign({}, ...OBSERVERS.map((o) => o.schema.shape)) as ObserverFields;

/** The `metrics:` section of a scenario. */
export const metricsSchema = strict(observerFields);

export type MetricsSection = z.output<typeof metricsSchema>;

/** Every observer's checks against the rest of the scenario, with paths under `metrics`. */
export function checkObservers(section: MetricsSection, scenario: ObserverScenario, addIssue: AddIssue): void {
  for (const kind of OBSERVERS as readonly ObserverKind<any>[]) kind.check?.(section, scenario, (path, message) => addIssue(["metrics", ...path], message));
}

/** The run's observers, made at the measurement stage (before the network), started at the observers stage. */
export class Observers {
  private readonly list: readonly Observer[];
  /** What the network calls for every lookup message, if any observer follows them. */
  readonly traceMessage: MessageTrace | undefined;

  constructor(section: MetricsSection, setup: ObserverSetup) {
    this.list = (OBSERVERS as readonly ObserverKind<any>[]).flatMap((kind) => kind.create(section, setup) ?? []);
    const tracing = this.list.flatMap((o) => o.traceMessage ?? []);
    this.traceMessage = tracing.length <= 1 ? tracing[0] : (...args) => tracing.forEach((trace) => trace(...args));
  }

  /** Schedules every observer's events, in registry order. */
  start(run: ObserverRun): void {
    for (const observer of this.list) observer.start(run);
  }

  /** Every observer's result files, in registry order. */
  files(): Record<string, FileContent> {
    return Object.assign({}, ...this.list.map((o) => o.files?.() ?? {}));
  }
}
