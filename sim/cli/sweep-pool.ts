import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { RunSpec } from "../run/experiment.js";
import type { Invocation } from "../run/results.js";
import { runJob, type JobResult } from "../run/worker-job.js";

/**
 * Runs the runs of an experiment, on this thread (jobs = 1) or on a pool of
 * worker threads, handing each idle worker the next run in order. Results
 * arrive in any order; the caller writes each run's folder as it comes and
 * builds the tables in run order at the end, so the files do not depend on
 * the number of workers.
 */

export interface PoolOptions {
  jobs: number;
  scenarioFile: string;
  invocation?: Invocation;
  /** Simulated ms done over all runs (finished runs count whole) and events run, after each slice anywhere. */
  onProgress?(simMsDone: number, events: number): void;
  onResult(result: JobResult): void;
}

/** What a worker is sent, and what it answers (sweep-worker.ts). */
export type ToWorker = { type: "run"; run: RunSpec; scenarioFile: string; invocation?: Invocation };
export type FromWorker =
  | { type: "progress"; index: number; simMs: number; events: number }
  | { type: "done"; result: JobResult }
  | { type: "error"; index: number; message: string; stack?: string };

export const WALL_CLOCK = {
  now: () => performance.now(),
  peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
};

const WORKER_FILE = fileURLToPath(new URL("./sweep-worker.js", import.meta.url));

export class RunPool {
  private stopped = false;
  private workers: Worker[] = [];

  constructor(private readonly options: PoolOptions) {}

  /** Stops handing out runs and ends the workers; `run` then resolves false. */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers) void w.terminate();
  }

  /** Runs every run; true if all finished, false if stopped. */
  async run(runs: readonly RunSpec[]): Promise<boolean> {
    if (runs.length === 0) return !this.stopped;
    const jobs = Math.max(1, Math.min(this.options.jobs, runs.length));
    const progress = new Progress(runs, this.options.onProgress);
    // Even one run goes to a worker thread when the compiled worker exists: the main thread then stays free to hear signals mid-run.
    if (!existsSync(WORKER_FILE)) {
      if (jobs > 1) throw new Error(`--jobs ${jobs} needs the compiled worker ${WORKER_FILE}; run npm run build, or use --jobs 1`);
      for (const run of runs) {
        if (this.stopped) return false;
        await new Promise((resolve) => setImmediate(resolve)); // hear signals between runs
        if (this.stopped) return false;
        const result = runJob(run, this.options.scenarioFile, {
          measure: WALL_CLOCK,
          ...(this.options.invocation ? { invocation: this.options.invocation } : {}),
          onSlice: (simMs, events) => progress.update(run.index, simMs, events),
        });
        progress.finish(run.index, result.events);
        this.options.onResult(result);
      }
      return true;
    }
    return this.runOnWorkers(runs, jobs, progress);
  }

  private runOnWorkers(runs: readonly RunSpec[], jobs: number, progress: Progress): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let settled = false;
      const settle = (error: Error | undefined, complete: boolean) => {
        if (settled) return;
        settled = true;
        for (const w of this.workers) void w.terminate();
        this.workers = [];
        if (error) reject(error);
        else resolve(complete);
      };
      const feed = (worker: Worker) => {
        if (this.stopped) return settle(undefined, false);
        if (next >= runs.length) return;
        const message: ToWorker = { type: "run", run: runs[next++]!, scenarioFile: this.options.scenarioFile, ...(this.options.invocation ? { invocation: this.options.invocation } : {}) };
        worker.postMessage(message);
      };
      for (let i = 0; i < jobs; i++) {
        const worker = new Worker(WORKER_FILE);
        this.workers.push(worker);
        worker.on("message", (message: FromWorker) => {
          if (settled) return;
          if (message.type === "progress") progress.update(message.index, message.simMs, message.events);
          else if (message.type === "error") {
            const error = new Error(message.message);
            if (message.stack) error.stack = message.stack;
            settle(error, false);
          } else {
            progress.finish(message.result.index, message.result.events);
            try {
              this.options.onResult(message.result);
            } catch (error) {
              return settle(error as Error, false);
            }
            if (++finished === runs.length) settle(undefined, true);
            else feed(worker);
          }
        });
        worker.on("error", (error) => settle(error, false));
        worker.on("exit", (code) => {
          if (!settled && !this.stopped) settle(new Error(`a worker thread stopped with exit code ${code}`), false);
          else if (this.stopped) settle(undefined, false);
        });
        feed(worker);
      }
    });
  }
}

/** Sums the progress of every run: finished runs count whole, running ones as far as they got. */
class Progress {
  private readonly simMs: Float64Array;
  private readonly events: Float64Array;
  private readonly durations: Float64Array;

  constructor(
    runs: readonly RunSpec[],
    private readonly report?: (simMsDone: number, events: number) => void,
  ) {
    const size = Math.max(0, ...runs.map((r) => r.index)) + 1;
    this.simMs = new Float64Array(size);
    this.events = new Float64Array(size);
    this.durations = new Float64Array(size);
    for (const r of runs) this.durations[r.index] = r.scenario.duration;
  }

  update(index: number, simMs: number, events: number): void {
    this.simMs[index] = simMs;
    this.events[index] = events;
    this.emit();
  }

  finish(index: number, events: number): void {
    this.simMs[index] = this.durations[index]!;
    this.events[index] = events;
    this.emit();
  }

  private emit(): void {
    if (!this.report) return;
    let sim = 0;
    let events = 0;
    for (let i = 0; i < this.simMs.length; i++) {
      sim += this.simMs[i]!;
      events += this.events[i]!;
    }
    this.report(sim, events);
  }
}
