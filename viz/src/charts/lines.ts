import { area, axisBottom, axisLeft, bisector, curveLinear, curveStepAfter, extent, line, max, min, pointer, scaleLinear, scaleLog, type ScaleContinuousNumeric } from "d3";
import { fmt } from "../metrics.js";
import { axisLabels, drawLegend, fitText, hideTooltip, makeFrame, showTooltip, TEXT_PX, textWidth, tickText, type Frame } from "./frame.js";

/**
 * Line charts: time series with runs overlaid, latency CDFs, and a sweep's
 * metric against a parameter with a confidence band.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  key: string;
  label: string;
  color: string;
  points: Point[];
  /** A band around the line (e.g. a 95 % confidence interval). */
  band?: { x: number; lo: number; hi: number }[];
  /** A dashed reference curve (a closed form), not data. */
  reference?: boolean;
}

export interface Mark {
  x: number;
  label: string;
  kind: string;
  /** End of the fault's window (a partition until it heals, a freeze until it thaws), shaded from x to here. */
  until?: number;
}

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  marks?: Mark[];
  /** Shade x < this (the warm-up). */
  shadeBefore?: { x: number; label: string };
  step?: boolean;
  /** Start the y axis at 0 when all values are positive. */
  yZero?: boolean;
  /** How x values read in the tooltip. */
  xText?: (x: number) => string;
  yDomain?: [number, number];
  pointsVisible?: boolean;
  /** Ticks of a categorical x axis: positions and their labels. */
  xTicks?: { values: number[]; format: (x: number) => string };
  width?: number;
  height?: number;
  /** Log axes (only when every value on that axis is positive). */
  logX?: boolean;
  logY?: boolean;
  /** A log/linear switch for the y axis in the caption. */
  onToggleLogY?: (log: boolean) => void;
  legend?: boolean;
}

export function lineChart(parent: HTMLElement, o: LineChartOptions): Frame {
  const all = o.series.flatMap((s) => s.points);
  const bands = o.series.flatMap((s) => s.band ?? []);
  const ys = [...all.map((p) => p.y), ...bands.map((b) => b.lo)];
  const logY = o.logY === true && ys.length > 0 && ys.every((v) => v > 0);
  const logX = o.logX === true && all.length > 0 && all.every((p) => p.x > 0);
  const marks = [...(o.marks ?? [])].sort((a, b) => a.x - b.x);
  // Fault labels go in rows above the plot, never on the data: one row per label that would touch the previous one.
  const f = makeFrame(parent, o.id, o.title, {
    ...(o.width !== undefined ? { width: o.width } : {}),
    ...(o.height !== undefined ? { height: o.height } : {}),
    legend: o.legend === false ? false : o.series.map((s) => s.label),
    margin: { top: 44 + Math.min(3, marks.length > 0 ? markRows(marks, o, 1) : o.shadeBefore ? 1 : 0) * 20 },
    ...(o.onToggleLogY && ys.length > 0 && ys.every((v) => v > 0) ? { scaleToggle: { log: logY, onToggle: () => o.onToggleLogY!(!logY) } } : {}),
  });
  const xs = [...all.map((p) => p.x), ...marks.map((m) => m.x)];
  const [x0, x1] = extent(xs) as [number, number];
  const x: ScaleContinuousNumeric<number, number> = (logX ? scaleLog() : scaleLinear())
    .domain(x0 === undefined ? [0, 1] : x0 === x1 ? (logX ? [x0 / 2, x1 * 2] : [x0 - 1, x1 + 1]) : [o.shadeBefore && !logX ? Math.min(0, x0) : x0, x1])
    .range([0, f.width]);
  let ylo = min([...all.map((p) => p.y), ...bands.map((b) => b.lo)]) ?? 0;
  let yhi = max([...all.map((p) => p.y), ...bands.map((b) => b.hi)]) ?? 1;
  if (!logY && o.yZero !== false && ylo >= 0) ylo = 0;
  if (ylo === yhi) yhi = logY ? ylo * 10 : ylo + 1;
  const y: ScaleContinuousNumeric<number, number> = (logY ? scaleLog() : scaleLinear())
    .domain(o.yDomain && !logY ? o.yDomain : [ylo, yhi])
    .nice()
    .range([f.height, 0]);
  const yTicks = logY ? decadeTicks(y) : y.ticks(5);

  if (o.shadeBefore && o.shadeBefore.x > x.domain()[0]!) {
    const g = f.plot.append("g").attr("class", "warmup");
    const w = Math.min(f.width, x(o.shadeBefore.x));
    g.append("rect").attr("width", Math.max(0, w)).attr("height", f.height);
    // Above the plot, where no data line runs (fault labels start after it).
    if (w > textWidth(o.shadeBefore.label, TEXT_PX) * 0.6) g.append("text").attr("x", 2).attr("y", -8).text(o.shadeBefore.label);
  }
  f.plot
    .append("g")
    .attr("class", "gridlines")
    .call(axisLeft(y).tickValues(yTicks).tickSize(-f.width).tickFormat(() => ""));
  const xTickCount = Math.max(2, Math.floor(f.width / 90));
  const xAxis = o.xTicks
    ? axisBottom(x).tickValues(o.xTicks.values).tickFormat((v) => o.xTicks!.format(Number(v)))
    : logX
      ? axisBottom(x).tickValues(logTicks(x, all)).tickFormat((v) => tickText(Number(v)))
      : axisBottom(x).ticks(xTickCount).tickFormat((v) => tickText(Number(v)));
  f.plot.append("g").attr("class", "axis x").attr("transform", `translate(0,${f.height})`).call(xAxis);
  f.plot.append("g").attr("class", "axis y").call(axisLeft(y).tickValues(yTicks).tickFormat((v) => tickText(Number(v))));
  axisLabels(f, o.xLabel, o.yLabel);

  const curve = o.step ? curveStepAfter : curveLinear;
  for (const s of o.series) {
    if (s.band && s.band.length > 0) {
      f.plot
        .append("path")
        .attr("class", "band")
        .attr("fill", s.color)
        .attr("d", area<{ x: number; lo: number; hi: number }>().x((d) => x(d.x)).y0((d) => y(d.lo)).y1((d) => y(d.hi)).curve(curve)(s.band));
    }
  }
  for (const s of o.series) {
    const g = f.plot.append("g").attr("class", "series-group").attr("data-series", s.label);
    g.append("path")
      .attr("class", s.reference ? "series reference" : "series")
      .attr("stroke", s.color)
      .attr("data-points", s.points.length)
      .attr("d", line<Point>().x((d) => x(d.x)).y((d) => y(d.y)).curve(curve)(s.points));
    if (o.pointsVisible !== false && !s.reference && all.length <= 3000) {
      g.selectAll("circle")
        .data(s.points)
        .join("circle")
        .attr("class", "point")
        .attr("r", 2.4)
        .attr("fill", s.color)
        .attr("cx", (d) => x(d.x))
        .attr("cy", (d) => y(d.y));
    }
  }
  // Windows are shaded; each label sits above the plot at its mark (or the window's middle), in the first row where it touches no earlier label.
  const placed = placeMarks(marks, o, x, o.shadeBefore ? textWidth(o.shadeBefore.label, TEXT_PX) + 12 : 0);
  marks.forEach((m, i) => {
    const g = f.plot.append("g").attr("class", "annotation").attr("data-kind", m.kind);
    if (m.until !== undefined) {
      g.append("rect").attr("class", "window").attr("x", x(m.x)).attr("width", Math.max(0, x(m.until) - x(m.x))).attr("y", 0).attr("height", f.height);
    }
    g.append("line").attr("x1", x(m.x)).attr("x2", x(m.x)).attr("y1", 0).attr("y2", f.height);
    const p = placed[i]!;
    if (p.row < 3) {
      const left = Math.max(-f.margin.left + 4, Math.min(p.left, f.width + f.margin.right - p.width - 4));
      g.append("text").attr("x", left).attr("y", -8 - 20 * p.row).text(p.text);
    }
    g.append("title").text(m.label);
  });
  if (o.legend !== false) drawLegend(
    f,
    o.series.map((s) => ({ label: s.label, color: s.color, ...(s.reference ? { shape: "dash" as const } : {}) })),
  );

  // Hover: a rule at the nearest x and every series' value there.
  const rule = f.plot.append("line").attr("class", "rule").attr("y1", 0).attr("y2", f.height).attr("visibility", "hidden");
  const near = bisector<Point, number>((d) => d.x).center;
  f.plot
    .append("rect")
    .attr("class", "hover")
    .attr("width", f.width)
    .attr("height", f.height)
    .attr("fill", "transparent")
    .on("mousemove", (event: MouseEvent) => {
      const [mx] = pointer(event);
      const xv = x.invert(mx);
      const lines: string[] = [];
      let at: number | undefined;
      for (const s of o.series) {
        if (s.points.length === 0 || s.reference) continue;
        const p = s.points[near(s.points, xv)]!;
        at ??= p.x;
        lines.push(`${s.label}: ${fmt(p.y)}`);
      }
      if (at === undefined) return;
      rule.attr("x1", x(at)).attr("x2", x(at)).attr("visibility", "visible");
      const marks = (o.marks ?? []).filter((m) => Math.abs(x(m.x) - x(at!)) < 6).map((m) => `⚑ ${m.label}`);
      showTooltip(event, [`${o.xLabel}: ${o.xText ? o.xText(at) : fmt(at)}`, ...lines, ...marks]);
    })
    .on("mouseleave", () => {
      rule.attr("visibility", "hidden");
      hideTooltip();
    });
  return f;
}

/** A sweep's own x values when there are few (32, 64, … 512), else powers of ten (with 2 and 5 between when there are few of those). */
function logTicks(scale: ScaleContinuousNumeric<number, number>, points: readonly Point[]): number[] {
  const own = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  if (own.length > 0 && own.length <= 10) return own;
  const decades = decadeTicks(scale);
  if (decades.length > 3) return decades;
  const [a, b] = scale.domain() as [number, number];
  const candidates = decades.flatMap((d) => [d / 5, d / 2, d, 2 * d, 5 * d]).map((v) => +v.toPrecision(6));
  return [...new Set(candidates)].filter((v) => v >= a * 0.999 && v <= b * 1.001).sort((p, q) => p - q);
}

/** Powers of ten inside a log scale's domain (at least two ticks). */
function decadeTicks(scale: ScaleContinuousNumeric<number, number>): number[] {
  const [a, b] = scale.domain() as [number, number];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++) {
    const v = 10 ** e;
    if (v >= a * 0.999 && v <= b * 1.001) out.push(v);
  }
  return out.length >= 2 ? out : scale.ticks(4);
}

interface PlacedMark {
  text: string;
  left: number;
  width: number;
  row: number;
}

function placeMarks(marks: readonly Mark[], o: LineChartOptions, x: (v: number) => number, reserved = 0): PlacedMark[] {
  const rowEnds: number[] = reserved > 0 ? [reserved] : [];
  return marks.map((m) => {
    const text = fitText(m.label, 260, TEXT_PX);
    const width = textWidth(text, TEXT_PX);
    const anchor = m.until !== undefined ? (x(m.x) + x(m.until)) / 2 - width / 2 : x(m.x) + 3;
    let row = rowEnds.findIndex((end) => end < anchor);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = anchor + width + 10;
    return { text, left: anchor, width, row };
  });
}

/** Rows of labels the marks need (before the x scale is known: an estimate on a unit scale). */
function markRows(marks: readonly Mark[], o: LineChartOptions, _unused: number): number {
  const xs = marks.flatMap((m) => [m.x, m.until ?? m.x]);
  const pts = o.series.flatMap((s) => s.points.map((p) => p.x));
  const lo = Math.min(...xs, ...pts);
  const hi = Math.max(...xs, ...pts);
  const span = hi - lo || 1;
  const width = (o.width ?? 720) * 0.6;
  const placed = placeMarks(marks, o, (v) => ((v - lo) / span) * width, o.shadeBefore ? textWidth(o.shadeBefore.label, TEXT_PX) + 12 : 0);
  return Math.max(1, ...placed.map((p) => p.row + 1));
}
