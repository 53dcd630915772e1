import { setMaxListeners } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import Tinypool from "tinypool";
import type { RunSpec } from "../run/experiment.js";
import type { Invocation } from "../run/results.js";
import { runJob, type JobResult } from "../run/worker-job.js";

/**
 * Runs the runs of an experiment, on this thread (jobs = 1 without a
 * compiled worker) or on a pool of worker threads (tinypool), which hands
 * each idle worker the next run in order. Results arrive in any order; the
 * caller writes each run's folder as it comes and builds the tables in run
 * order at the end, so the files do not depend on the number of workers.
 */

export interface PoolOptions {
  jobs: number;
  scenarioFile: string;
  invocation?: Invocation;
  /** Simulated ms done over all runs (finished runs count whole) and events run, after each slice anywhere. */
  onProgress?(simMsDone: number, events: number): void;
  onResult(result: JobResult): void;
}

/** One task for a worker (sweep-worker.ts): the run, and a port for its progress after every slice. */
export interface WorkerTask {
  run: RunSpec;
  scenarioFile: string;
  invocation?: Invocation;
  progress: MessagePort;
}
export interface WorkerProgress {
  simMs: number;
  events: number;
}

export const WALL_CLOCK = {
  now: () => performance.now(),
  peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
};

const WORKER_FILE = fileURLToPath(new URL("./sweep-worker.js", import.meta.url));

export class RunPool {
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: PoolOptions) {}

  /** Stops handing out runs and ends the workers (a running run is cut off); `run` then resolves false. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
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

  private async runOnWorkers(runs: readonly RunSpec[], jobs: number, progress: Progress): Promise<boolean> {
    if (this.stopped) return false;
    // Tasks queue first-in first-out, so runs start in run order; the pool keeps `jobs` threads and reuses them.
    const pool = new Tinypool({ filename: WORKER_FILE, minThreads: jobs, maxThreads: jobs });
    // Every queued task listens to the one stop signal; that is by design, not a leak.
    setMaxListeners(runs.length + 1, this.abort.signal);
    try {
      await Promise.all(runs.map((run) => this.runOnPool(pool, run, progress)));
      return !this.stopped;
    } catch (error) {
      if (this.stopped) return false;
      throw error;
    } finally {
      // A failed run (or a failing onResult) ends the others: abort what is queued or running, then end the threads.
      this.abort.abort();
      await pool.destroy();
    }
  }

  private async runOnPool(pool: Tinypool, run: RunSpec, progress: Progress): Promise<void> {
    const channel = new MessageChannel();
    channel.port1.on("message", (p: WorkerProgress) => progress.update(run.index, p.simMs, p.events));
    const task: WorkerTask = { run, scenarioFile: this.options.scenarioFile, progress: channel.port2, ...(this.options.invocation ? { invocation: this.options.invocation } : {}) };
    try {
      const result = (await pool.run(task, { transferList: [channel.port2], signal: this.abort.signal })) as JobResult;
      progress.finish(run.index, result.events);
      this.options.onResult(result);
    } finally {
      channel.port1.close();
    }
  }
}

/** Sums the progress of every run: finished runs count whole, running ones as far as they got. */
class Progress {
  private readonly simMs: Float64Array;
  private readonly events: Float64Array;
  private readonly durations: Float64Array;
  private readonly finished: Uint8Array;

  constructor(
    runs: readonly RunSpec[],
    private readonly report?: (simMsDone: number, events: number) => void,
  ) {
    const size = Math.max(0, ...runs.map((r) => r.index)) + 1;
    this.simMs = new Float64Array(size);
    this.events = new Float64Array(size);
    this.durations = new Float64Array(size);
    this.finished = new Uint8Array(size);
    for (const r of runs) this.durations[r.index] = r.scenario.duration;
  }

  update(index: number, simMs: number, events: number): void {
    // A slice's report can arrive after its run's result (they travel on different ports): a finished run stays whole.
    if (this.finished[index]) return;
    this.simMs[index] = simMs;
    this.events[index] = events;
    this.emit();
  }

  finish(index: number, events: number): void {
    this.finished[index] = 1;
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
