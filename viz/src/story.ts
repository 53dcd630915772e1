import { schemeTableau10 } from "d3";
import { emptyNote } from "./charts/frame.js";
import { hbarChart } from "./charts/hbars.js";
import { lineChart, type Series } from "./charts/lines.js";
import { overlayColor } from "./colors.js";
import { columnTitle, overlayName } from "./columns.js";
import { loadCsv, loadGroupColumns, loadJson, loadRun, num, type GroupEntry, type LessonInfo, type Run, type RunEntry, type ViewIndex } from "./data.js";
import { lang, t } from "./i18n.js";
import { axisLabel, fmt, metricDef, STORY_METRICS } from "./metrics.js";
import { wilson } from "../../sim/metrics/stats.js"; // the simulator's own code, bundled: one Wilson interval for both

/**
 * The story first: what this experiment is (the scenario's title and
 * description, the lesson's text), then a comparison's or a sweep's headline
 * figures as small multiples, each overlay in its own colour, the figure a
 * lesson is about first and largest.
 */

export interface StoryContext {
  index: ViewIndex;
  lesson: LessonInfo | null;
  /** Log or linear per chart id, when the user chose. */
  logChoice: Map<string, boolean>;
  colorOfRun: (id: string) => string;
  rerender: () => void;
}

const BIG = 940;
const SMALL = 460;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Title and description of a scenario in the page's language. */
export function scenarioTitle(run: RunEntry | undefined): { title: string; description: string } {
  const s = run?.scenario;
  if (!s) return { title: "", description: "" };
  const ko = lang() === "ko";
  return {
    title: (ko ? s.title_ko : undefined) ?? s.title ?? s.name,
    description: ((ko ? s.description_ko : undefined) ?? s.description ?? "").trim(),
  };
}

/** "label · --set a=1 --set b=2" for a run started with either; "" otherwise. */
export function invocationText(run: RunEntry): string {
  const parts: string[] = [];
  if (run.runLabel) parts.push(`${t("runLabel")}: ${run.runLabel}`);
  if (run.overrides && run.overrides.length > 0) parts.push(`${t("runOverrides")}: ${run.overrides.map((o) => `--set ${o}`).join(" ")}`);
  return parts.join(" · ");
}

/** The page's heading: the scenario, what it is about, and the lesson's text when there is one. */
export function storyHead(parent: HTMLElement, shown: readonly RunEntry[], lesson: LessonInfo | null): void {
  const head = el("section", "story-head");
  head.id = "story-head";
  const scenarios = [...new Map(shown.map((r) => [r.scenario?.name ?? r.label, r])).values()];
  for (const r of scenarios.slice(0, 3)) {
    const { title, description } = scenarioTitle(r);
    const h = el("h2", "scenario-title", title);
    h.lang = lang();
    head.append(h);
    if (description) head.append(el("p", "scenario-description", description));
  }
  // Runs that differ only by the command line (--set, --label) would otherwise look identical.
  const invocations = [...new Set(shown.map(invocationText).filter((s) => s !== ""))];
  for (const text of invocations.slice(0, 6)) head.append(el("p", "run-invocation", text));
  if (lesson) {
    const ko = lang() === "ko";
    const box = el("div", "lesson");
    box.id = "lesson";
    box.append(el("h3", undefined, `${t("lesson")}: ${ko ? lesson.title.ko : lesson.title.en}`));
    const look = el("p", "lesson-look");
    look.append(el("strong", undefined, `${t("lessonLook")}: `), ko ? lesson.lookFor.ko : lesson.lookFor.en);
    const ask = el("p", "lesson-question");
    ask.append(el("strong", undefined, `${t("lessonQuestion")}: `), ko ? lesson.question.ko : lesson.question.en);
    box.append(look, ask);
    head.append(box);
  }
  if (head.childElementCount > 0) parent.append(head);
}

function percent(column: string): boolean {
  return metricDef(column).unit === "uPercent";
}

function grid(parent: HTMLElement, id: string, title: string): HTMLElement {
  const s = el("section", "block story");
  s.id = id;
  s.append(el("h2", undefined, title));
  const g = el("div", "charts multiples");
  s.append(g);
  parent.append(s);
  return g;
}

/** The order of the headline figures: the lesson's first. */
function ordered(available: readonly string[], focus: string | undefined): string[] {
  const list = STORY_METRICS.filter((m) => available.includes(m));
  return focus && available.includes(focus) ? [focus, ...list.filter((m) => m !== focus)] : list;
}

/** comparison.csv as small multiples of horizontal bars, then the table with translated headings and what "success" means per overlay. */
export async function comparisonStory(parent: HTMLElement, g: GroupEntry, ctx: StoryContext): Promise<void> {
  if (!g.files.includes("comparison.csv")) return;
  await loadGroupColumns(g);
  const csv = await loadCsv(g.url + "comparison.csv");
  if (!csv || csv.rows.length === 0) return;
  const box = grid(parent, `comparison-${g.id}`, `${t("comparison")}: ${scenarioTitle(ctx.index.runs.find((r) => r.group === g.id)).title || g.label}`);
  const nameCol = csv.columns.includes("variant") ? "variant" : csv.columns[0]!;
  const runOf = (name: string) => ctx.index.runs.find((r) => r.group === g.id && r.variant === name);
  const colorOf = (i: number) => {
    const run = runOf(csv.rows[i]![nameCol] ?? "");
    return run ? ctx.colorOfRun(run.id) : overlayColor(csv.rows[i]!.overlay, 0, i);
  };
  const focus = ctx.lesson?.focus.view === "comparison" ? ctx.lesson.focus.metric : undefined;
  const metrics = ordered(
    csv.columns.filter((c) => csv.rows.some((r) => num(r[c]) !== null)),
    focus,
  );
  for (const m of metrics) {
    const def = metricDef(m);
    const id = `cmp-${m}`;
    const isFocus = m === focus;
    hbarChart(box, {
      id,
      title: columnTitle(m),
      xLabel: axisLabel(columnTitle(m), def.unit),
      width: isFocus ? BIG : SMALL,
      ...(percent(m) ? { maxValue: 100, valueText: (v: number) => `${fmt(v)} %` } : {}),
      ...(ctx.logChoice.has(id) ? { log: ctx.logChoice.get(id)! } : isFocus && ctx.lesson?.focus.logY !== undefined ? { log: ctx.lesson.focus.logY } : {}),
      onToggleLog: (log) => {
        ctx.logChoice.set(id, log);
        ctx.rerender();
      },
      bars: csv.rows.map((r, i) => {
        const v = num(r[m]);
        const bar = { label: r[nameCol] ?? "", color: colorOf(i), value: v === null ? null : v * def.scale };
        if (m === "success_ratio" && v !== null) {
          const n = num(r.lookups_completed);
          if (n !== null && n > 0) {
            const w = wilson(Math.round(v * n), n);
            return { ...bar, low: w.low * 100, high: w.high * 100 };
          }
        }
        return bar;
      }),
    });
    if (isFocus) box.lastElementChild?.classList.add("focus");
  }
  await comparisonTable(box, g, csv, nameCol, ctx);
}

async function comparisonTable(box: HTMLElement, g: GroupEntry, csv: { rows: Record<string, string>[]; columns: string[] }, nameCol: string, ctx: StoryContext): Promise<void> {
  const wrap = el("div", "table-wrap");
  const table = el("table", "data");
  const head = el("tr");
  for (const c of csv.columns) {
    const def = metricDef(c);
    const th = el("th", undefined, def.unit && c !== nameCol && c !== "overlay" ? axisLabel(columnTitle(c), def.unit) : columnTitle(c));
    th.dataset.column = c;
    head.append(th);
  }
  table.append(head);
  for (const r of csv.rows) {
    const tr = el("tr");
    for (const c of csv.columns) {
      const v = num(r[c]);
      const def = metricDef(c);
      const text = c === "overlay" ? overlayName(r[c]) : v === null ? (r[c] ?? "") : fmt(v * def.scale);
      tr.append(el("td", v === null ? undefined : "num", text));
    }
    table.append(tr);
  }
  wrap.append(table);
  box.append(wrap);
  // What "success" means differs per overlay: say it, from each variant's resolved options.
  const runs = await Promise.all(ctx.index.runs.filter((r) => r.group === g.id).map(loadRun));
  const notes = [...new Set(runs.map((r) => successMeaning(r)).filter((s): s is string => s !== null))];
  if (notes.length > 0) {
    const note = el("div", "success-note");
    note.append(el("strong", undefined, `${t("successMeans")}:`));
    const ul = el("ul");
    for (const n of notes) ul.append(el("li", undefined, n));
    note.append(ul);
    box.append(note);
  }
}

/** One sentence per overlay on what counts as a successful lookup, with the numbers that bound it. */
export function successMeaning(run: Run): string | null {
  const o = run.manifest?.scenario?.overlay;
  if (!o || typeof o.type !== "string") return null;
  switch (o.type) {
    case "unstructured":
      return t("successUnstructured", { replicas: o.replication?.replicas ?? "?" });
    case "hybrid":
      return t("successHybrid", { replicas: o.replication?.replicas ?? "?" });
    case "chord":
      return o.storage ? t("successChordStore", { replicas: o.storage.replicas ?? "?" }) : t("successChordRoute");
    case "kademlia":
      return o.lookups === "node" ? t("successKadNode", { k: o.k ?? 20 }) : t("successKadValue", { k: o.k ?? 20 });
    default:
      return null;
  }
}

const sweepParam = new Map<string, string>();

/** aggregate.csv as small multiples: each headline figure against the chosen parameter, one line per value of the others, with its 95 % band. */
export async function sweepStory(parent: HTMLElement, g: GroupEntry, ctx: StoryContext): Promise<void> {
  if (!g.files.includes("aggregate.csv")) return;
  await loadGroupColumns(g);
  const csv = await loadCsv(g.url + "aggregate.csv");
  if (!csv || csv.rows.length === 0) return;
  const meta = g.files.includes("sweep.json") ? await loadJson<{ grid?: Record<string, unknown> }>(g.url + "sweep.json").catch(() => null) : null;
  const box = grid(parent, `sweep-${g.id}`, `${t("sweep")}: ${scenarioTitle(ctx.index.runs.find((r) => r.group === g.id)).title || g.label}`);
  const params = meta?.grid ? Object.keys(meta.grid).filter((p) => csv.columns.includes(p)) : [];
  if (params.length === 0) return emptyNote(box, t("noData"));
  const numeric = (p: string) => csv.rows.every((r) => num(r[p]) !== null);
  const lessonParam = ctx.lesson?.focus.view === "sweep" ? ctx.lesson.focus.param : undefined;
  const chosen = sweepParam.get(g.id);
  const param = chosen && params.includes(chosen) ? chosen : lessonParam && params.includes(lessonParam) ? lessonParam : (params.find(numeric) ?? params[0]!);
  if (params.length > 1) {
    const label = el("label", "other", `${t("parameter")}: `);
    const select = el("select");
    select.className = "sweep-param";
    for (const p of params) {
      const o = el("option", undefined, columnTitle(p));
      o.value = p;
      select.append(o);
    }
    select.value = param;
    select.addEventListener("change", () => {
      sweepParam.set(g.id, select.value);
      ctx.rerender();
    });
    label.append(select);
    box.append(label);
  }
  const numericX = numeric(param);
  const xValues = [...new Set(csv.rows.map((r) => r[param] ?? ""))];
  const xOf = (cell: string) => (numericX ? num(cell)! : xValues.indexOf(cell));
  const others = params.filter((p) => p !== param);
  const seriesName = (r: Record<string, string>) =>
    others.map((p) => valueName(p, r[p] ?? "")).join(", ") || columnTitle(param);
  const overlayOf = (r: Record<string, string>) => {
    for (const p of others) {
      const type = overlayType(r[p] ?? "");
      if (type) return type;
    }
    return null;
  };
  const groups = new Map<string, typeof csv.rows>();
  for (const r of csv.rows) {
    const key = seriesName(r);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const metrics = ordered(
    csv.columns.filter((c) => c.endsWith("_mean")).map((c) => c.slice(0, -"_mean".length)),
    ctx.lesson?.focus.view === "sweep" ? ctx.lesson.focus.metric : undefined,
  ).filter((m) => csv.rows.some((r) => num(r[`${m}_mean`]) !== null));
  const xs = csv.rows.map((r) => xOf(r[param]!));
  const logXDefault = numericX && (ctx.lesson?.focus.logX ?? (xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 8));
  const replications = Math.max(...csv.rows.map((r) => num(r.runs) ?? 0));
  for (const m of metrics) {
    const def = metricDef(m);
    const isFocus = metrics[0] === m && ctx.lesson?.focus.view === "sweep";
    const series: Series[] = [...groups.entries()].map(([key, rows], i) => {
      const type = overlayOf(rows[0]!);
      const sorted = [...rows].sort((a, b) => xOf(a[param]!) - xOf(b[param]!));
      const points: { x: number; y: number }[] = [];
      const band: { x: number; lo: number; hi: number }[] = [];
      for (const r of sorted) {
        const x = xOf(r[param]!);
        const y = num(r[`${m}_mean`]);
        if (y === null) continue;
        points.push({ x, y: y * def.scale });
        let lo = num(r[`${m}_ci95_low`]);
        let hi = num(r[`${m}_ci95_high`]);
        if (lo !== null && hi !== null) {
          // A ratio's interval cannot leave [0, 1], whatever a normal approximation says.
          if (percent(m)) [lo, hi] = [Math.max(0, lo), Math.min(1, hi)];
          band.push({ x, lo: lo * def.scale, hi: hi * def.scale });
        }
      }
      return { key, label: key, color: type ? overlayColor(type) : schemeTableau10[i % 10]!, points, band };
    });
    if (m === "hops_mean" && param === "peers.count" && numericX) {
      const ns = [...new Set(xs)].sort((a, b) => a - b);
      series.push({ key: "half-log2", label: t("halfLog2"), color: "#444", points: ns.map((n) => ({ x: n, y: 0.5 * Math.log2(n) })), reference: true });
    }
    if (m === "distribution_time_s" && numericX) {
      // The Kumar–Ross bounds each run computed from its own capacities: the server's N·F/u_s and the swarm's minimum.
      for (const [column, key] of [["t_min_client_server_s", "boundServer"], ["t_min_peer_to_peer_s", "boundPeerToPeer"]] as const) {
        const byX = new Map<number, number>();
        for (const r of csv.rows) {
          const y = num(r[`${column}_mean`]);
          if (y !== null && !byX.has(xOf(r[param]!))) byX.set(xOf(r[param]!), y);
        }
        const points = [...byX].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y: y * def.scale }));
        if (points.length > 1) series.push({ key, label: t(key), color: key === "boundServer" ? "#666" : "#999", points, reference: true });
      }
    }
    const id = `sweep-${m}`;
    const ys = series.flatMap((s) => s.points.map((p) => p.y));
    const logY = ctx.logChoice.get(id) ?? (isFocus && ctx.lesson?.focus.logY !== undefined ? ctx.lesson.focus.logY : ys.length > 1 && ys.every((y) => y > 0) && Math.max(...ys) / Math.min(...ys) >= 100);
    lineChart(box, {
      id,
      title: t("sweepVs", { metric: columnTitle(m), param: columnTitle(param) }),
      xLabel: columnTitle(param),
      yLabel: axisLabel(columnTitle(m), def.unit),
      series,
      yZero: !logY,
      width: isFocus ? BIG : SMALL,
      height: isFocus ? 420 : 330,
      logX: logXDefault,
      logY,
      onToggleLogY: (log) => {
        ctx.logChoice.set(id, log);
        ctx.rerender();
      },
      ...(percent(m) && !logY ? { yDomain: [0, 100] as [number, number] } : {}),
      xText: (x) => (numericX ? fmt(x) : valueName(param, xValues[x] ?? "")),
      ...(numericX ? {} : { xTicks: { values: xValues.map((_, i) => i), format: (x: number) => valueName(param, xValues[x] ?? "") } }),
    });
    if (isFocus) box.lastElementChild?.classList.add("focus");
  }
  box.append(el("p", "muted small-note", t("perPoint", { n: replications })));
}

function overlayType(cell: string): string | null {
  if (!cell.startsWith("{")) return null;
  try {
    const v = JSON.parse(cell) as { type?: unknown };
    return typeof v.type === "string" ? v.type : null;
  } catch {
    return null;
  }
}

/** A grid value as a reader would say it: an overlay by its name, a number with its parameter. */
function valueName(param: string, cell: string): string {
  const type = overlayType(cell);
  if (type) return overlayName(type);
  return `${columnTitle(param)} ${cell}`;
}
