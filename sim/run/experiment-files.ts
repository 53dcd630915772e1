import type { SweepExperiment, VariantsExperiment } from "./experiment.js";
import { headlineColumns, headlineMetrics, type SummaryLike } from "./headline.js";
import { aggregateCsv, aggregateLongCsv, runRefs, runsCsv, sweepJson, sweepManifest, type Shard } from "./sweep.js";
import { comparisonCsv } from "./variants.js";
import { runJob } from "./worker-job.js";

/**
 * The files at the top of an experiment's folder, once its runs are done:
 * comparison.csv for variants; sweep.json, runs.csv and aggregate.csv for a
 * sweep (a shard's folder has no aggregate.csv: `peerlab merge` writes it);
 * columns.json beside them names their headline columns (unit, kind, title
 * in English and Korean) for the viewer. `summaries` are the runs'
 * summary.json, by run index.
 */
export function tableFiles(
  experiment: VariantsExperiment | SweepExperiment,
  scenarioFile: string,
  summaries: ReadonlyMap<number, SummaryLike>,
  shard?: Shard,
): Record<string, string> {
  if (experiment.kind === "variants") {
    return { "comparison.csv": comparisonCsv(experiment, experiment.runs.map((r) => summaries.get(r.index)!)), "columns.json": tableColumnsJson(summaries.values()) };
  }
  const manifest = sweepManifest(experiment, scenarioFile, shard);
  const refs = runRefs(manifest).filter((r) => summaries.has(r.index));
  const files: Record<string, string> = { "sweep.json": sweepJson(manifest), "runs.csv": runsCsv(manifest, refs, summaries) };
  if (!shard) {
    files["aggregate.csv"] = aggregateCsv(manifest, summaries);
    files["aggregate-long.csv"] = aggregateLongCsv(manifest, summaries);
  }
  files["columns.json"] = tableColumnsJson(summaries.values());
  return files;
}

/** columns.json of a table of runs: the metadata of the headline columns those runs have. */
export function tableColumnsJson(summaries: Iterable<SummaryLike>): string {
  return JSON.stringify(headlineColumns(headlineMetrics(summaries)), null, 2) + "\n";
}

/**
 * Every file of an experiment's folder (path relative to the folder →
 * content), every run on this thread, one after the other. For tests and
 * fingerprints; manifest.json has no engine.wall here, since nothing measures time.
 */
export function experimentFilesInProcess(experiment: VariantsExperiment | SweepExperiment, scenarioFile: string): Record<string, string> {
  const files: Record<string, string> = {};
  const summaries = new Map<number, SummaryLike>();
  for (const run of experiment.runs) {
    const result = runJob(run, scenarioFile);
    for (const [name, content] of Object.entries(result.files)) files[`${run.dir}/${name}`] = typeof content === "string" ? content : content.join("");
    summaries.set(run.index, JSON.parse(result.files["summary.json"]!) as SummaryLike);
  }
  return { ...files, ...tableFiles(experiment, scenarioFile, summaries) };
}
