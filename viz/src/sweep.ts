import { schemeTableau10 } from "d3";
import { emptyNote } from "./charts/frame.js";
import { lineChart, type Series } from "./charts/lines.js";
import { loadCsv, loadJson, num, type GroupEntry } from "./data.js";
import { t } from "./i18n.js";
import { axisLabel, metricDef } from "./metrics.js";

/**
 * A sweep's aggregate.csv: the grid parameters as leading columns, then for
 * each metric `<metric>_mean`, `<metric>_ci95_low` and `<metric>_ci95_high`.
 * Drawn as the mean of a metric against one parameter with its 95 % band,
 * one line per combination of the other parameters.
 */

const choice = new Map<string, { param?: string; metric?: string }>();

export async function sweepSection(parent: HTMLElement, g: GroupEntry, rerender: () => void): Promise<void> {
  if (!g.files.includes("aggregate.csv")) return;
  const csv = await loadCsv(g.url + "aggregate.csv");
  if (!csv || csv.rows.length === 0) return;
  const s = document.createElement("section");
  s.className = "block";
  s.id = `sweep-${g.id}`;
  const h = document.createElement("h2");
  h.textContent = `${t("sweep")}: ${g.label}`;
  s.append(h);
  const grid = document.createElement("div");
  grid.className = "charts";
  s.append(grid);
  parent.append(s);

  const metrics = csv.columns.filter((c) => c.endsWith("_mean")).map((c) => c.slice(0, -"_mean".length));
  const firstMetricCol = csv.columns.findIndex((c) => metrics.some((m) => c.startsWith(`${m}_`)));
  const leading = csv.columns.slice(0, firstMetricCol < 0 ? csv.columns.length : firstMetricCol);
  // sweep.json names the grid's parameters; without it, the leading columns but bookkeeping ones.
  const meta = g.files.includes("sweep.json") ? await loadJson<{ grid?: Record<string, unknown> }>(g.url + "sweep.json").catch(() => null) : null;
  const declared = meta?.grid && typeof meta.grid === "object" ? Object.keys(meta.grid).filter((p) => leading.includes(p)) : [];
  const params = declared.length > 0 ? declared : leading.filter((c) => !["point", "n", "runs", "seeds", "count", "label"].includes(c));
  if (metrics.length === 0 || params.length === 0) return emptyNote(grid, t("noData"));

  const c = choice.get(g.id) ?? {};
  const numericParam = params.find((p) => csv.rows.every((r) => num(r[p]) !== null));
  const param = c.param && params.includes(c.param) ? c.param : (numericParam ?? params[0]!);
  const metric = c.metric && metrics.includes(c.metric) ? c.metric : metrics[0]!;
  const controls = document.createElement("div");
  controls.className = "other";
  const select = (label: string, cls: string, options: string[], value: string, set: (v: string) => void) => {
    const l = document.createElement("label");
    l.textContent = `${label}: `;
    const sel = document.createElement("select");
    sel.className = cls;
    for (const o of options) {
      const opt = document.createElement("option");
      opt.value = o;
      opt.textContent = o;
      sel.append(opt);
    }
    sel.value = value;
    sel.addEventListener("change", () => {
      set(sel.value);
      choice.set(g.id, c);
      rerender();
    });
    l.append(sel);
    controls.append(l, " ");
  };
  select(t("parameter"), "sweep-param", params, param, (v) => (c.param = v));
  select(t("metric"), "sweep-metric", metrics, metric, (v) => (c.metric = v));
  grid.append(controls);

  const others = params.filter((p) => p !== param);
  const numericX = csv.rows.every((r) => num(r[param]) !== null);
  const xValues = [...new Set(csv.rows.map((r) => r[param] ?? ""))];
  const xOf = (cell: string) => (numericX ? num(cell)! : xValues.indexOf(cell));
  const bySeries = new Map<string, typeof csv.rows>();
  for (const r of csv.rows) {
    const key = others.map((p) => `${p}=${r[p]}`).join(", ") || metric;
    if (!bySeries.has(key)) bySeries.set(key, []);
    bySeries.get(key)!.push(r);
  }
  const def = metricDef(metric);
  const series: Series[] = [...bySeries.entries()].map(([key, rows], i) => {
    const sorted = [...rows].sort((a, b) => xOf(a[param]!) - xOf(b[param]!));
    const points: { x: number; y: number }[] = [];
    const band: { x: number; lo: number; hi: number }[] = [];
    for (const r of sorted) {
      const x = xOf(r[param]!);
      const y = num(r[`${metric}_mean`]);
      if (y === null) continue;
      points.push({ x, y: y * def.scale });
      const lo = num(r[`${metric}_ci95_low`]);
      const hi = num(r[`${metric}_ci95_high`]);
      if (lo !== null && hi !== null) band.push({ x, lo: lo * def.scale, hi: hi * def.scale });
    }
    return { key, label: key, color: schemeTableau10[i % 10]!, points, band };
  });
  lineChart(grid, {
    id: `sweep-${metric}-vs-${param}`,
    title: `${metric} vs ${param} (${t("mean95")})`,
    xLabel: param,
    yLabel: axisLabel(metric, def.unit),
    series,
    yZero: false,
    xText: (x) => (numericX ? String(x) : (xValues[x] ?? "")),
    ...(numericX ? {} : { xTicks: { values: xValues.map((_, i) => i), format: (x: number) => xValues[x] ?? "" } }),
  });
}
