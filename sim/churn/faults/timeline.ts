import type { Fault } from "./registry.js";
import { findFaultKind } from "./registry.js";
import type { AddIssue, FaultEffect, FaultRun, FaultScenario } from "./kind.js";

/**
 * The fault timeline (scenario `faults:`, docs/faults.md): things that go
 * wrong at set times, on top of whatever churn the scenario has. Like churn,
 * it only decides when and to whom; crashing a peer, freezing maintenance or
 * dropping a message is done by the same lifecycle, overlay and network code
 * that does it in any run. What each kind does is its own file's business
 * (registry.ts lists them); the timeline schedules, checks and annotates.
 * Every fault that fires leaves an annotation, which the viewer draws on the
 * time axes.
 *
 * Peers crashed by a fault come back only if the churn model brings them
 * back: with session churn, a crashed peer rejoins after an offline period
 * drawn from the churn's offline distribution (on the faults' random
 * stream); with a trace, when the trace next joins it; with no churn, it
 * stays down.
 */

export interface FaultAnnotation {
  time_s: number;
  kind: string;
  label: string;
  /** For a fault with a window that ends within the run: when it ends (the viewer shades the window). */
  until_s?: number;
}

/** A fault that does not fit the run (a role the overlay lacks): reported like a scenario error. */
export class FaultError extends Error {
  override readonly name = "FaultError";
}

/**
 * The scenario's faults made into effects, before the run is built: what the
 * build must prepare for (counters, maintenance frozen from the start, tasks
 * kept for a resume) is read from here.
 */
export class FaultPlan {
  readonly entries: readonly { readonly fault: Fault; readonly effect: FaultEffect }[];

  constructor(faults: readonly Fault[], private readonly endMs: number) {
    this.entries = faults.map((fault) => {
      const kind = findFaultKind(fault.kind);
      if (!kind) throw new FaultError(`unknown fault kind ${JSON.stringify(fault.kind)}`);
      return { fault, effect: kind.create(fault) };
    });
  }

  /** The counters the faults report into, each once, in timeline order. */
  get counters(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.effect.counters ?? []))];
  }

  /** True if a fault freezes maintenance from 0 s: then it is in force before anything runs. */
  get maintenanceFrozenAtStart(): boolean {
    return this.entries.some((e) => e.effect.freezesMaintenance === true && e.fault.at === 0);
  }

  /** True if some freeze ends within the run: only then must frozen periodic tasks be kept for their resume. */
  get maintenanceResumes(): boolean {
    return this.entries.some((e) => e.effect.freezesMaintenance === true && untilOf(e.fault) !== undefined && untilOf(e.fault)! < this.endMs);
  }
}

export interface FaultSetup extends FaultRun {
  plan: FaultPlan;
  /** Receives each annotation when its fault fires. */
  annotate(a: FaultAnnotation): void;
}

/** Installs every fault of the plan on the simulator. Throws a FaultError (with the fault's index) if a fault cannot apply to this run. */
export function installFaults(setup: FaultSetup): void {
  const { sim, endMs } = setup;
  setup.plan.entries.forEach(({ fault, effect }, i) => {
    const misfit = effect.misfit?.(setup);
    if (misfit) throw new FaultError(`faults[${i}] (${fault.kind}).${misfit.field}: ${misfit.message}`);
    const until = untilOf(fault);
    const window = until !== undefined && until < endMs ? { until_s: Math.round(until) / 1000 } : {};
    sim.at(fault.at, () => {
      const time_s = Math.round(sim.now) / 1000;
      setup.annotate({ time_s, ...effect.begin(setup), ...window });
    });
    const end = effect.end;
    if (end && until !== undefined && until < endMs) {
      sim.at(until, () => {
        const time_s = Math.round(sim.now) / 1000;
        setup.annotate({ time_s, ...end(setup) });
      });
    }
  });
}

/** Checks of a fault timeline that need the whole scenario (called from the scenario's superRefine): the timing, then the kind's own. */
export function checkFaults(faults: readonly Fault[], scenario: FaultScenario, addIssue: AddIssue): void {
  const { durationMs } = scenario;
  faults.forEach((f, i) => {
    if (f.at >= durationMs) addIssue(["faults", i, "at"], `expected a time before the end of the run (${durationMs} ms), got ${f.at} ms`);
    const until = untilOf(f);
    if (until !== undefined && until <= f.at) addIssue(["faults", i, "until"], `expected a time after at (${f.at} ms), got ${until} ms`);
    findFaultKind(f.kind)?.check?.(f, scenario, (path, message) => addIssue(["faults", i, ...path], message));
  });
}

function untilOf(fault: Fault): number | undefined {
  return "until" in fault ? fault.until : undefined;
}
