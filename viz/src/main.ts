import { schemeTableau10 } from "d3";
import { barChart } from "./charts/bars.js";
import { emptyNote } from "./charts/frame.js";
import { lineChart, type Mark, type Series } from "./charts/lines.js";
import { isReport, loadCsv, loadIndex, loadRun, num, type GroupEntry, type Run, type ViewIndex } from "./data.js";
import { defaultLang, setLang, t, type Lang } from "./i18n.js";
import { axisLabel, fmt, HEADLINE, metricDef, metricTitle, NOT_METRICS, pick, SUMMARY_BARS } from "./metrics.js";
import { sweepSection } from "./sweep.js";
import { topologySection } from "./topology/view.js";

/**
 * The viewer page: a list of runs on the left, charts of the ticked runs on
 * the right (time series, latency CDF, hop histogram, summary bars),
 * comparisons and sweeps, and the topology view with lookup replay.
 */

interface State {
  index: ViewIndex;
  selected: Set<string>;
  /** Extra time-series column chosen in "Another column". */
  extraColumn: string | null;
}

let state: State;
let renderToken = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A run's colour, stable whatever else is ticked. */
function colorOf(id: string): string {
  const i = state.index.runs.findIndex((r) => r.id === id);
  return schemeTableau10[i % schemeTableau10.length]!;
}

function runLabel(run: Run, runs: readonly Run[]): string {
  const v = run.entry.variant;
  if (v && runs.filter((r) => r.entry.variant === v).length === 1) return v;
  return run.entry.label;
}

async function start(): Promise<void> {
  const langSelect = document.getElementById("lang") as HTMLSelectElement;
  setLang(defaultLang());
  langSelect.value = document.documentElement.lang;
  langSelect.addEventListener("change", () => {
    setLang(langSelect.value as Lang);
    void render();
  });
  try {
    const index = await loadIndex();
    state = { index, selected: new Set(defaultSelection(index)), extraColumn: null };
  } catch (error) {
    document.getElementById("main")!.replaceChildren(el("p", "error", String(error)));
    return;
  }
  await render();
}

function defaultSelection(index: ViewIndex): string[] {
  const group = index.groups.find((g) => g.runs.length > 1);
  if (group) return group.runs.slice(0, 10);
  return index.runs.slice(0, 6).map((r) => r.id);
}

async function render(): Promise<void> {
  const token = ++renderToken;
  document.title = t("title");
  document.getElementById("title")!.textContent = t("title");
  document.getElementById("lang-label")!.textContent = t("language");
  document.getElementById("subtitle")!.textContent = isReport() ? `report · peerlab ${state.index.peerlab}` : `peerlab ${state.index.peerlab}`;
  renderSidebar();
  const main = document.getElementById("main")!;
  if (state.index.runs.length === 0) {
    main.replaceChildren(el("p", "muted", t("noRuns")));
    return;
  }
  const entries = state.index.runs.filter((r) => state.selected.has(r.id));
  const runs = await Promise.all(entries.map(loadRun));
  if (token !== renderToken) return; // a newer render started meanwhile
  const fragment = el("div");
  timeSeriesSection(fragment, runs);
  distributionSection(fragment, runs);
  summarySection(fragment, runs);
  for (const g of state.index.groups) {
    if (g.kind === "comparison") await comparisonSection(fragment, g);
    else await sweepSection(fragment, g, () => void render());
  }
  await topologySection(fragment, runs, (r) => runLabel(r, runs));
  if (token !== renderToken) return;
  main.replaceChildren(...fragment.childNodes);
  main.dataset.ready = String(token);
}

function renderSidebar(): void {
  const side = document.getElementById("sidebar")!;
  const parts: HTMLElement[] = [];
  if (state.index.groups.length > 0) {
    parts.push(el("h2", undefined, t("groups")));
    const ul = el("ul", "groups");
    for (const g of state.index.groups) {
      const li = el("li");
      const b = el("button", "group", `${g.kind === "comparison" ? t("comparison") : t("sweep")}: ${g.label}`);
      b.type = "button";
      b.addEventListener("click", () => {
        state.selected = new Set(g.runs.slice(0, 20));
        void render();
      });
      li.append(b);
      ul.append(li);
    }
    parts.push(ul);
  }
  parts.push(el("h2", undefined, t("runs")), el("p", "muted small", t("selectHint")));
  const ul = el("ul", "runs");
  for (const r of state.index.runs) {
    const li = el("li");
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = state.selected.has(r.id);
    box.dataset.run = r.id;
    box.addEventListener("change", () => {
      if (box.checked) state.selected.add(r.id);
      else state.selected.delete(r.id);
      void render();
    });
    const swatch = el("span", "swatch");
    swatch.style.background = colorOf(r.id);
    label.append(box, swatch, el("span", "run-name", r.label));
    label.title = r.label;
    li.append(label);
    ul.append(li);
  }
  parts.push(ul);
  side.replaceChildren(...parts);
}

function section(parent: HTMLElement, id: string, title: string): HTMLElement {
  const s = el("section", "block");
  s.id = id;
  s.append(el("h2", undefined, title));
  const grid = el("div", "charts");
  s.append(grid);
  parent.append(s);
  return grid;
}

/** Time axis in minutes for long runs, seconds otherwise. */
function timeAxis(runs: readonly Run[]) {
  const last = Math.max(0, ...runs.flatMap((r) => r.rows.map((row) => num(row.time_s) ?? 0)));
  const minutes = last > 600;
  const div = minutes ? 60 : 1;
  return {
    div,
    label: axisLabel(t("simTime"), minutes ? "uMin" : "uS"),
    text: (x: number) => `${fmt(x)} ${t(minutes ? "uMin" : "uS")}`,
  };
}

function timeMarks(runs: readonly Run[], div: number): Mark[] {
  const seen = new Set<string>();
  const marks: Mark[] = [];
  for (const r of runs) {
    for (const a of r.annotations) {
      const key = `${a.time_s}|${a.label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const until = typeof a.until_s === "number" && Number.isFinite(a.until_s) ? { until: a.until_s / div } : {};
      marks.push({ x: a.time_s / div, label: String(a.label ?? a.kind), kind: String(a.kind ?? ""), ...until });
    }
  }
  return marks;
}

function timeSeriesSection(parent: HTMLElement, runs: readonly Run[]): void {
  const grid = section(parent, "timeseries", t("timeSeries"));
  if (runs.length === 0 || runs.every((r) => r.rows.length === 0)) return emptyNote(grid, t("noData"));
  const axis = timeAxis(runs);
  const marks = timeMarks(runs, axis.div);
  const warmups = runs.map((r) => r.manifest?.scenario?.metrics?.warmup).filter((w): w is number => typeof w === "number");
  const warmup = warmups.length > 0 && warmups.every((w) => w === warmups[0]) && warmups[0]! > 0 ? warmups[0]! / 1000 / axis.div : undefined;
  const chart = (column: string) => {
    const def = metricDef(column);
    const series: Series[] = runs
      .filter((r) => r.columns.includes(column))
      .map((r) => ({
        key: r.entry.id,
        label: runLabel(r, runs),
        color: colorOf(r.entry.id),
        points: r.rows.flatMap((row) => {
          const x = num(row.time_s);
          const y = num(row[column]);
          return x === null || y === null ? [] : [{ x: x / axis.div, y: y * def.scale }];
        }),
      }));
    if (series.every((s) => s.points.length === 0)) return;
    const title = metricTitle(def);
    lineChart(grid, {
      id: `ts-${column}`,
      title,
      xLabel: axis.label,
      yLabel: axisLabel(title, def.unit),
      series,
      marks,
      xText: axis.text,
      ...(warmup !== undefined ? { shadeBefore: { x: warmup, label: t("warmupEnd") } } : {}),
    });
  };
  for (const m of HEADLINE) chart(m.column);

  // Every other column the runs measured, one at a time.
  const others = [...new Set(runs.flatMap((r) => r.columns))].filter((c) => !NOT_METRICS.has(c) && !HEADLINE.some((m) => m.column === c));
  if (others.length > 0) {
    const box = el("div", "other");
    const label = el("label", undefined, `${t("otherColumn")}: `);
    const select = el("select");
    select.id = "other-column";
    for (const c of others) {
      const o = el("option", undefined, c);
      o.value = c;
      select.append(o);
    }
    const chosen = state.extraColumn && others.includes(state.extraColumn) ? state.extraColumn : others[0]!;
    select.value = chosen;
    select.addEventListener("change", () => {
      state.extraColumn = select.value;
      void render();
    });
    label.append(select);
    box.append(label);
    grid.append(box);
    chart(chosen);
  }
}

function distributionSection(parent: HTMLElement, runs: readonly Run[]): void {
  const grid = section(parent, "distributions", t("distributions"));
  const withSummary = runs.filter((r) => r.summary);
  const cdf: Series[] = withSummary
    .map((r) => {
      const q: unknown = r.summary.lookups?.latencyMs?.quantiles;
      const points = Array.isArray(q) ? q.map((ms: number, i: number) => ({ x: ms, y: i })) : [];
      return { key: r.entry.id, label: runLabel(r, runs), color: colorOf(r.entry.id), points };
    })
    .filter((s) => s.points.length > 0);
  if (cdf.length > 0) {
    lineChart(grid, {
      id: "latency-cdf",
      title: t("cdfTitle"),
      xLabel: axisLabel(t("cdfX"), "uMs"),
      yLabel: axisLabel(t("cdfY"), "uPercent"),
      series: cdf,
      step: true,
      yDomain: [0, 100],
      pointsVisible: false,
      xText: (x) => `${fmt(x)} ${t("uMs")}`,
    });
  }
  const hists = withSummary.map((r) => ({ run: r, h: (r.summary.lookups?.hops?.histogram ?? []) as number[] })).filter((x) => x.h.length > 0);
  if (hists.length > 0) {
    const maxHops = Math.max(...hists.map((x) => x.h.length));
    barChart(grid, {
      id: "hop-histogram",
      title: t("hopTitle"),
      xLabel: axisLabel(t("hopX"), "uHops"),
      yLabel: axisLabel(t("hopY"), "uLookups"),
      categories: Array.from({ length: maxHops }, (_, i) => String(i)),
      series: hists.map(({ run, h }) => ({
        key: run.entry.id,
        label: runLabel(run, runs),
        color: colorOf(run.entry.id),
        values: Array.from({ length: maxHops }, (_, i) => h[i] ?? 0),
      })),
    });
  }
  if (cdf.length === 0 && hists.length === 0) emptyNote(grid, t("noData"));
}

function summarySection(parent: HTMLElement, runs: readonly Run[]): void {
  const withSummary = runs.filter((r) => r.summary);
  if (withSummary.length === 0) return;
  const grid = section(parent, "summary", t("summary"));
  grid.classList.add("small");
  const labels = withSummary.map((r) => runLabel(r, runs));
  for (const m of SUMMARY_BARS) {
    const values = withSummary.map((r) => {
      const v = pick(r.summary, m.path);
      return v === null ? null : v * m.scale;
    });
    if (values.every((v) => v === null)) continue;
    barChart(grid, {
      id: `summary-${m.path.join("-")}`,
      title: t(m.title),
      xLabel: t("run"),
      yLabel: axisLabel(t(m.title), m.unit),
      categories: labels,
      single: true,
      height: 260,
      series: withSummary.map((r, i) => ({
        key: r.entry.id,
        label: labels[i]!,
        color: colorOf(r.entry.id),
        values: labels.map((_, j) => (j === i ? values[i]! : null)),
      })),
    });
  }
}

/** comparison.csv: one row per variant; any numeric column as bars, and the table itself. */
async function comparisonSection(parent: HTMLElement, g: GroupEntry): Promise<void> {
  if (!g.files.includes("comparison.csv")) return;
  const csv = await loadCsv(g.url + "comparison.csv");
  if (!csv || csv.rows.length === 0) return;
  const grid = section(parent, `comparison-${g.id}`, `${t("comparison")}: ${g.label}`);
  const nameCol = csv.columns.includes("variant") ? "variant" : csv.columns[0]!;
  const numeric = csv.columns.filter((c) => c !== nameCol && csv.rows.some((r) => num(r[c]) !== null));
  const names = csv.rows.map((r) => r[nameCol] ?? "");
  const key = `cmp:${g.id}`;
  const chosen = (state as any)[key] && numeric.includes((state as any)[key]) ? (state as any)[key] : numeric[0];
  if (chosen) {
    const box = el("div", "other");
    const label = el("label", undefined, `${t("metric")}: `);
    const select = el("select");
    select.className = "comparison-metric";
    for (const c of numeric) {
      const o = el("option", undefined, c);
      o.value = c;
      select.append(o);
    }
    select.value = chosen;
    select.addEventListener("change", () => {
      (state as any)[key] = select.value;
      void render();
    });
    label.append(select);
    box.append(label);
    grid.append(box);
    const def = metricDef(chosen);
    const palette = (i: number) => {
      const run = state.index.runs.find((r) => r.group === g.id && r.variant === names[i]);
      return run ? colorOf(run.id) : schemeTableau10[i % 10]!;
    };
    barChart(grid, {
      id: `comparison-${chosen}`,
      title: `${g.label}: ${chosen}`,
      xLabel: t("variant"),
      yLabel: axisLabel(chosen, def.unit === "uPercent" ? null : def.unit),
      categories: names,
      single: true,
      series: csv.rows.map((r, i) => ({
        key: `${i}`,
        label: names[i]!,
        color: palette(i),
        values: names.map((_, j) => (j === i ? num(r[chosen]) : null)),
      })),
    });
  }
  const wrap = el("div", "table-wrap");
  const table = el("table", "data");
  const head = el("tr");
  for (const c of csv.columns) head.append(el("th", undefined, c));
  table.append(head);
  for (const r of csv.rows) {
    const tr = el("tr");
    for (const c of csv.columns) {
      const v = num(r[c]);
      tr.append(el("td", v === null ? undefined : "num", v === null ? (r[c] ?? "") : fmt(v)));
    }
    table.append(tr);
  }
  wrap.append(table);
  grid.append(wrap);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void start());
else void start();
