import { toCsv } from "../metrics/writers.js";
import type { VariantsExperiment } from "./experiment.js";
import { formatMetric, headlineMetrics, headlineRow, shownColumns, textTable, type SummaryLike } from "./headline.js";

/**
 * The comparison of a scenario's variants: comparison.csv (one row per
 * variant, the headline metrics) and the same table for the terminal. Every
 * variant runs on the same seed, so each draws the same churn, the same
 * lookup arrivals and keys, and the same latencies from its named random
 * streams: differences between rows come from what the variants change.
 */

/** comparison.csv: variant, overlay, then the headline metrics. `summaries` are the variants' summary.json, in order. */
export function comparisonCsv(experiment: VariantsExperiment, summaries: readonly SummaryLike[]): string {
  const metrics = headlineMetrics(summaries);
  const rows = experiment.runs.map((run, i) => ({
    variant: run.dir,
    overlay: run.scenario.overlay.type,
    ...headlineRow(summaries[i]!, metrics),
  }));
  return toCsv(rows);
}

/** The columns the terminal shows (comparison.csv has them all). */
const SHOWN = [
  "success_ratio",
  "latency_mean_ms",
  "latency_p50_ms",
  "latency_p99_ms",
  "hops_mean",
  "messages_per_lookup",
  "maintenance_messages_per_peer_per_s",
  "messages_per_peer_per_s",
];

export function comparisonTable(experiment: VariantsExperiment, summaries: readonly SummaryLike[]): string {
  const stores = summaries.some((s) => s.storage !== undefined);
  const metrics = shownColumns(summaries, [...SHOWN, ...(stores ? ["availability_mean"] : [])]);
  const header = ["variant", "overlay", ...metrics.map((m) => m.heading)];
  const rows = experiment.runs.map((run, i) => [
    run.dir,
    run.scenario.overlay.type,
    ...metrics.map((m) => formatMetric(m, m.get(summaries[i]!))),
  ]);
  return textTable(header, rows, 2);
}
