import { runJob, type JobResult } from "../run/worker-job.js";
import { WALL_CLOCK, type WorkerProgress, type WorkerTask } from "./sweep-pool.js";

/**
 * The task function of the sweep pool's worker threads (tinypool loads this
 * file in each): runs one run, posts progress after every slice on the
 * task's port and returns the result files. Same code as a run on the main
 * thread (sim/run/worker-job.ts); a thrown error rejects the task.
 */
export default function runTask(task: WorkerTask): JobResult {
  const { run, scenarioFile, invocation, progress } = task;
  try {
    return runJob(run, scenarioFile, {
      measure: WALL_CLOCK,
      ...(invocation ? { invocation } : {}),
      onSlice: (simMs, events) => progress.postMessage({ simMs, events } satisfies WorkerProgress),
    });
  } finally {
    progress.close();
  }
}
