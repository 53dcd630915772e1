import { area, axisBottom, axisLeft, bisector, curveLinear, curveStepAfter, extent, line, max, min, pointer, scaleLinear } from "d3";
import { fmt } from "../metrics.js";
import { axisLabels, drawLegend, hideTooltip, makeFrame, showTooltip, type Frame } from "./frame.js";

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
}

export function lineChart(parent: HTMLElement, o: LineChartOptions): Frame {
  const f = makeFrame(parent, o.id, o.title);
  const all = o.series.flatMap((s) => s.points);
  const bands = o.series.flatMap((s) => s.band ?? []);
  const xs = [...all.map((p) => p.x), ...(o.marks ?? []).map((m) => m.x)];
  const [x0, x1] = extent(xs) as [number, number];
  const x = scaleLinear()
    .domain(x0 === undefined ? [0, 1] : x0 === x1 ? [x0 - 1, x1 + 1] : [o.shadeBefore ? Math.min(0, x0) : x0, x1])
    .range([0, f.width]);
  let ylo = min([...all.map((p) => p.y), ...bands.map((b) => b.lo)]) ?? 0;
  let yhi = max([...all.map((p) => p.y), ...bands.map((b) => b.hi)]) ?? 1;
  if (o.yZero !== false && ylo >= 0) ylo = 0;
  if (ylo === yhi) yhi = ylo + 1;
  const y = scaleLinear()
    .domain(o.yDomain ?? [ylo, yhi])
    .nice()
    .range([f.height, 0]);

  if (o.shadeBefore && o.shadeBefore.x > x.domain()[0]!) {
    const g = f.plot.append("g").attr("class", "warmup");
    const w = Math.min(f.width, x(o.shadeBefore.x)) ;
    g.append("rect").attr("width", Math.max(0, w)).attr("height", f.height);
    g.append("text").attr("x", 4).attr("y", f.height - 4).text(o.shadeBefore.label);
  }
  f.plot
    .append("g")
    .attr("class", "gridlines")
    .call(axisLeft(y).ticks(5).tickSize(-f.width).tickFormat(() => ""));
  const xAxis = o.xTicks ? axisBottom(x).tickValues(o.xTicks.values).tickFormat((v) => o.xTicks!.format(Number(v))) : axisBottom(x).ticks(8);
  f.plot.append("g").attr("class", "axis x").attr("transform", `translate(0,${f.height})`).call(xAxis);
  f.plot.append("g").attr("class", "axis y").call(axisLeft(y).ticks(5));
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
      .attr("class", "series")
      .attr("stroke", s.color)
      .attr("data-points", s.points.length)
      .attr("d", line<Point>().x((d) => x(d.x)).y((d) => y(d.y)).curve(curve)(s.points));
    if (o.pointsVisible !== false && all.length <= 3000) {
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
  // Labels go on the first row where they do not run into an earlier label (about 5.5 px per
  // character at 10 px), so marks close in time stack instead of printing over each other.
  const rowEnds: number[] = [];
  for (const m of [...(o.marks ?? [])].sort((a, b) => a.x - b.x)) {
    const g = f.plot.append("g").attr("class", "annotation").attr("data-kind", m.kind);
    if (m.until !== undefined) {
      g.append("rect").attr("class", "window").attr("x", x(m.x)).attr("width", Math.max(0, x(m.until) - x(m.x))).attr("y", 0).attr("height", f.height);
    }
    const left = x(m.x) + 3;
    let row = rowEnds.findIndex((end) => end < left);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + m.label.length * 5.5 + 6;
    g.append("line").attr("x1", x(m.x)).attr("x2", x(m.x)).attr("y1", 0).attr("y2", f.height);
    g.append("text").attr("x", left).attr("y", 10 + 11 * row).text(m.label);
    g.append("title").text(m.label);
  }
  drawLegend(
    f,
    o.series.map((s) => ({ label: s.label, color: s.color })),
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
        if (s.points.length === 0) continue;
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
