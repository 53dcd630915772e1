import { barChart } from "./charts/bars.js";
import { emptyNote } from "./charts/frame.js";
import { hbarChart } from "./charts/hbars.js";
import { lineChart, type Mark, type Series } from "./charts/lines.js";
import { overlayColor } from "./colors.js";
import { columnTitle, faultLabel, overlayName } from "./columns.js";
import { isReport, loadIndex, loadLesson, loadRun, num, type GroupEntry, type LessonInfo, type Run, type RunEntry, type ViewIndex } from "./data.js";
import { defaultLang, setLang, t, type Lang } from "./i18n.js";
import { axisLabel, fmt, HEADLINE, metricDef, metricTitle, NOT_METRICS, pick, SUMMARY_BARS } from "./metrics.js";
import { OVERLAY_PANELS, type RunLook } from "./panels.js";
import { enterPresentation } from "./present.js";
import { wilson } from "../../sim/metrics/stats.js";
import { comparisonStory, storyHead, sweepStory, type StoryContext } from "./story.js";
import { topologySection } from "./topology/view.js";

/**
 * The viewer page. The story comes first: the scenario's title and
 * description (and a lesson's text), then the selected comparison or sweep
 * as small multiples of its headline figures; below, the time series of the
 * ticked runs, latency and hop distributions, summary bars, and the
 * topology view with lookup replay. A run list on the left (collapsible),
 * a presentation mode for projecting one chart at a time.
 */

interface State {
  index: ViewIndex;
  selected: Set<string>;
  /** Extra time-series column chosen in "Another column". */
  extraColumn: string | null;
  logChoice: Map<string, boolean>;
  lesson: LessonInfo | null;
}

let state: State;
let renderToken = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A run's colour: its overlay's, in a shade by its place among the same overlay's runs of its comparison or sweep point. */
function colorOf(id: string): string {
  const run = state.index.runs.find((r) => r.id === id);
  if (!run) return "#888";
  const peers = state.index.runs.filter((r) => r.group !== null && r.group === run.group && r.overlay === run.overlay && r.seed === run.seed);
  const shade = Math.max(0, peers.indexOf(run)) % 6;
  return overlayColor(run.overlay, shade, state.index.runs.indexOf(run));
}

/** A sweep run's grid point as words: "Extra copies per key 2", "Chord, Peers (N) 64". */
function pointOf(run: RunEntry): string | null {
  if (!run.point) return null;
  return Object.entries(run.point)
    .map(([path, v]) => (v && typeof v === "object" && typeof (v as { type?: unknown }).type === "string" ? overlayName((v as { type: string }).type) : `${columnTitle(path)} ${String(v)}`))
    .join(", ");
}

function pointText(point: string): string {
  return point;
}

/** A run's full name for the run list: scenario / variant or grid point / seed. */
function fullLabel(run: RunEntry): string {
  const point = pointOf(run);
  return [run.scenario?.name ?? run.label, run.variant ?? (point ? pointText(point) : null), run.seed !== null && run.seed !== undefined ? t("seedLabel", { seed: run.seed }) : null, run.runLabel ?? null]
    .filter(Boolean)
    .join(" / ");
}

/** The shortest name that tells the shown runs apart; a run's folder when two would read the same (copies of one run). */
function runLabel(run: Run, runs: readonly Run[]): string {
  const mine = shortLabel(run, runs);
  return runs.some((r) => r !== run && shortLabel(r, runs) === mine) ? run.entry.label : mine;
}

/** Scenario (if several are shown), variant or grid point, seed (if needed). */
function shortLabel(run: Run, runs: readonly Run[]): string {
  const e = run.entry;
  const scenarios = new Set(runs.map((r) => r.entry.scenario?.name ?? r.entry.label));
  const middle = e.variant ?? (pointOf(e) ? pointText(pointOf(e)!) : null);
  const oneGroup = e.group !== null && runs.every((r) => r.entry.group === e.group);
  const parts = [(scenarios.size > 1 && !oneGroup) || !middle ? (e.scenario?.name ?? e.label) : null, middle];
  const same = runs.filter((r) => (r.entry.scenario?.name ?? r.entry.label) === (e.scenario?.name ?? e.label) && (r.entry.variant ?? pointOf(r.entry)) === (e.variant ?? pointOf(e)));
  if (same.length > 1 && e.seed !== null && e.seed !== undefined) parts.push(t("seedLabel", { seed: e.seed }));
  return parts.filter(Boolean).join(" · ") || e.label;
}

async function start(): Promise<void> {
  const langSelect = document.getElementById("lang") as HTMLSelectElement;
  setLang(defaultLang());
  langSelect.value = document.documentElement.lang;
  langSelect.addEventListener("change", () => {
    setLang(langSelect.value as Lang);
    void render();
  });
  const toggle = document.getElementById("sidebar-toggle")!;
  if (window.innerWidth < 1100) document.body.classList.add("sidebar-collapsed");
  toggle.addEventListener("click", () => {
    document.body.classList.toggle("sidebar-collapsed");
    syncChrome();
  });
  document.getElementById("present")!.addEventListener("click", () => enterPresentation(0));
  try {
    const index = await loadIndex();
    const lesson = index.lessons && index.lessons.length > 0 ? await loadLesson(index.lessons[0]!) : null;
    state = { index, selected: new Set(defaultSelection(index, lesson)), extraColumn: null, logChoice: new Map(), lesson };
  } catch (error) {
    document.getElementById("main")!.replaceChildren(el("p", "error", String(error)));
    return;
  }
  await render();
}

/** Runs of a group worth drawing together: a comparison's variants; a sweep's first seed at each grid point. */
function groupSelection(index: ViewIndex, g: GroupEntry): string[] {
  if (g.kind === "comparison") return g.runs.slice(0, 10);
  const runs = index.runs.filter((r) => g.runs.includes(r.id));
  const firstSeed = runs[0]?.seed;
  return runs
    .filter((r) => r.seed === firstSeed)
    .slice(0, 10)
    .map((r) => r.id);
}

function defaultSelection(index: ViewIndex, lesson: LessonInfo | null): string[] {
  if (lesson) {
    const base = lesson.url.replace(/lesson\.json$/, "");
    const group = index.groups.find((g) => g.url === base);
    if (group) return groupSelection(index, group);
    const runs = index.runs.filter((r) => r.url.startsWith(base));
    if (runs.length > 0) return runs.slice(0, 10).map((r) => r.id);
  }
  const group = index.groups.find((g) => g.runs.length > 1);
  if (group) return groupSelection(index, group);
  return index.runs.slice(0, 6).map((r) => r.id);
}

function syncChrome(): void {
  const collapsed = document.body.classList.contains("sidebar-collapsed");
  const toggle = document.getElementById("sidebar-toggle")!;
  toggle.setAttribute("aria-expanded", String(!collapsed));
  toggle.title = collapsed ? t("sidebarShow") : t("sidebarHide");
  document.getElementById("sidebar-toggle-label")!.textContent = t("sidebarToggle");
  document.getElementById("present-label")!.textContent = t("present");
}

async function render(): Promise<void> {
  const token = ++renderToken;
  document.title = t("title");
  document.getElementById("title")!.textContent = t("title");
  document.getElementById("lang-label")!.textContent = t("language");
  document.getElementById("subtitle")!.textContent = isReport() ? `report · peerlab ${state.index.peerlab}` : `peerlab ${state.index.peerlab}`;
  syncChrome();
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
  const ctx: StoryContext = { index: state.index, lesson: state.lesson, logChoice: state.logChoice, colorOfRun: colorOf, rerender: () => void render() };
  storyHead(fragment, entries, state.lesson);
  // The comparisons and sweeps the ticked runs belong to come first.
  const active = state.index.groups.filter((g) => g.runs.some((id) => state.selected.has(id)));
  const focusTimeseries = state.lesson?.focus.view === "timeseries" ? state.lesson.focus.metric : null;
  if (focusTimeseries) timeSeriesSection(fragment, runs, focusTimeseries, true);
  for (const g of active) {
    if (g.kind === "comparison") await comparisonStory(fragment, g, ctx);
    else await sweepStory(fragment, g, ctx);
  }
  if (state.lesson?.focus.topology) await topologySection(fragment, runs, (r) => runLabel(r, runs), state.lesson?.focus.topologyRun);
  timeSeriesSection(fragment, runs, focusTimeseries, false);
  distributionSection(fragment, runs);
  const look: RunLook = { label: (r) => runLabel(r, runs), color: (r) => colorOf(r.entry.id) };
  for (const panel of OVERLAY_PANELS) await panel.draw(fragment, runs, look);
  if (!active.some((g) => g.kind === "comparison")) summarySection(fragment, runs);
  if (!state.lesson?.focus.topology) await topologySection(fragment, runs, (r) => runLabel(r, runs), state.lesson?.focus.topologyRun);
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
      const first = state.index.runs.find((r) => r.group === g.id);
      const b = el("button", "group", `${g.kind === "comparison" ? t("comparison") : t("sweep")}: ${first?.scenario?.name ?? g.label}`);
      b.type = "button";
      b.title = g.label;
      b.addEventListener("click", () => {
        state.selected = new Set(groupSelection(state.index, g));
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
    const full = fullLabel(r);
    const name = state.index.runs.some((o) => o !== r && fullLabel(o) === full) ? `${full} (${r.label})` : full;
    label.append(box, swatch, el("span", "run-name", name));
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
      marks.push({ x: a.time_s / div, label: faultLabel(String(a.kind ?? ""), String(a.label ?? a.kind)), kind: String(a.kind ?? ""), ...until });
    }
  }
  return marks;
}

/** The time series. With `onlyFocus`, just the lesson's column, large, at the top of the page. */
function timeSeriesSection(parent: HTMLElement, runs: readonly Run[], focus: string | null, onlyFocus: boolean): void {
  const grid = section(parent, onlyFocus ? "focus-timeseries" : "timeseries", onlyFocus ? `${t("story")}: ${metricTitle(metricDef(focus!))}` : t("timeSeries"));
  if (runs.length === 0 || runs.every((r) => r.rows.length === 0)) return emptyNote(grid, t("noData"));
  const axis = timeAxis(runs);
  const marks = timeMarks(runs, axis.div);
  const warmups = runs.map((r) => r.manifest?.scenario?.metrics?.warmup).filter((w): w is number => typeof w === "number");
  const warmup = warmups.length > 0 && warmups.every((w) => w === warmups[0]) && warmups[0]! > 0 ? warmups[0]! / 1000 / axis.div : undefined;
  const chart = (column: string, big: boolean) => {
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
    const id = `ts-${column}${big ? "-focus" : ""}`;
    lineChart(grid, {
      id,
      title,
      xLabel: axis.label,
      yLabel: axisLabel(title, def.unit),
      series,
      marks,
      xText: axis.text,
      ...(big ? { width: 940, height: 420 } : {}),
      ...(def.unit === "uPercent" ? { yDomain: [0, 100] as [number, number] } : {}),
      logY: state.logChoice.get(id) ?? false,
      onToggleLogY: (log) => {
        state.logChoice.set(id, log);
        void render();
      },
      ...(warmup !== undefined ? { shadeBefore: { x: warmup, label: t("warmupEnd") } } : {}),
    });
    if (big) grid.lastElementChild?.classList.add("focus");
  };
  if (onlyFocus) return chart(focus!, true);
  for (const m of HEADLINE) if (m.column !== focus) chart(m.column, false);

  // Every other column the runs measured, one at a time.
  const others = [...new Set(runs.flatMap((r) => r.columns))].filter((c) => !NOT_METRICS.has(c) && !HEADLINE.some((m) => m.column === c));
  if (others.length > 0) {
    const box = el("div", "other");
    const label = el("label", undefined, `${t("otherColumn")}: `);
    const select = el("select");
    select.id = "other-column";
    for (const c of others) {
      const o = el("option", undefined, columnTitle(c));
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
    chart(chosen, false);
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
    // Latencies span decades (a fast answer vs a timeout): log x by default, so the body of the CDF is not crowded into a corner.
    const id = "latency-cdf";
    const xs = cdf.flatMap((s) => s.points.map((p) => p.x)).filter((x) => x > 0);
    const logX = state.logChoice.get(id) ?? (xs.length > 1 && Math.max(...xs) / Math.min(...xs) >= 30);
    lineChart(grid, {
      id,
      title: t("cdfTitle"),
      xLabel: axisLabel(t("cdfX"), "uMs"),
      yLabel: axisLabel(t("cdfY"), "uPercent"),
      // A log axis has no 0: lookups answered at once (the requester held the key) are where the curve starts.
      series: logX ? cdf.map((s) => ({ ...s, points: s.points.filter((p) => p.x > 0) })) : cdf,
      step: true,
      yDomain: [0, 100],
      pointsVisible: false,
      logX,
      xText: (x) => `${fmt(x)} ${t("uMs")}`,
    });
    const figure = grid.lastElementChild as HTMLElement;
    const b = el("button", "scale-toggle", logX ? `${t("logScale")} ✓ · ${t("linearScale")}` : `${t("logScale")} · ${t("linearScale")} ✓`);
    b.type = "button";
    b.dataset.log = String(logX);
    b.title = t("scaleToggle");
    b.addEventListener("click", () => {
      state.logChoice.set(id, !logX);
      void render();
    });
    figure.querySelector(".actions")?.prepend(b);
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

/** One horizontal bar per run for each summary figure (success with its Wilson interval). */
function summarySection(parent: HTMLElement, runs: readonly Run[]): void {
  const withSummary = runs.filter((r) => r.summary);
  if (withSummary.length === 0) return;
  const grid = section(parent, "summary", t("summary"));
  grid.classList.add("multiples");
  for (const m of SUMMARY_BARS) {
    const id = `summary-${m.path.join("-")}`;
    const bars = withSummary.map((r) => {
      const v = pick(r.summary, m.path);
      const bar = { label: runLabel(r, runs), color: colorOf(r.entry.id), value: v === null ? null : v * m.scale };
      if (m.path.join(".") === "lookups.successRatio" && v !== null) {
        const n = pick(r.summary, ["lookups", "completed"]);
        if (n !== null && n > 0) {
          const w = wilson(Math.round(v * n), n);
          return { ...bar, low: w.low * 100, high: w.high * 100 };
        }
      }
      return bar;
    });
    if (bars.every((b) => b.value === null)) continue;
    const isPercent = m.unit === "uPercent";
    hbarChart(grid, {
      id,
      title: t(m.title),
      xLabel: axisLabel(t(m.title), m.unit),
      bars,
      ...(isPercent ? { maxValue: 100, valueText: (v: number) => `${fmt(v)} %` } : {}),
      ...(state.logChoice.has(id) ? { log: state.logChoice.get(id)! } : {}),
      onToggleLog: (log) => {
        state.logChoice.set(id, log);
        void render();
      },
    });
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void start());
else void start();
