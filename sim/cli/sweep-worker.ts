import { parentPort } from "node:worker_threads";
import { runJob } from "../run/worker-job.js";
import { WALL_CLOCK, type FromWorker, type ToWorker } from "./sweep-pool.js";

/**
 * A worker thread of `peerlab run --jobs N`: runs the runs it is sent, one
 * at a time, and posts back progress after every slice and the result files
 * at the end. Same code as a run on the main thread (sim/run/worker-job.ts).
 */
const port = parentPort;
if (!port) throw new Error("sweep-worker.ts runs only as a worker thread");

port.on("message", (message: ToWorker) => {
  const { run, scenarioFile, invocation } = message;
  try {
    const result = runJob(run, scenarioFile, {
      measure: WALL_CLOCK,
      ...(invocation ? { invocation } : {}),
      onSlice: (simMs, events) => port.postMessage({ type: "progress", index: run.index, simMs, events } satisfies FromWorker),
    });
    port.postMessage({ type: "done", result } satisfies FromWorker);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: "error", index: run.index, message: e.message, stack: e.stack } satisfies FromWorker);
  }
});
