import { axisBottom, axisLeft, max, min, scaleBand, scaleLinear } from "d3";
import { fmt } from "../metrics.js";
import { axisLabels, drawLegend, fitText, hideTooltip, makeFrame, showTooltip, TEXT_PX, tickText, type Frame } from "./frame.js";

/** Grouped bars: a category axis (hops, metrics, variants), one bar per series in each group. */

export interface BarSeries {
  key: string;
  label: string;
  color: string;
  /** Value per category; null for none. */
  values: (number | null)[];
}

export interface BarChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: BarSeries[];
  height?: number;
  /** Each series has a value in one category only: bars take the whole band. */
  single?: boolean;
}

export function barChart(parent: HTMLElement, o: BarChartOptions): Frame {
  const f = makeFrame(parent, o.id, o.title, { ...(o.height !== undefined ? { height: o.height } : {}), legend: o.series.map((s) => s.label) });
  const x = scaleBand().domain(o.categories).range([0, f.width]).paddingInner(0.2).paddingOuter(0.1);
  const inner = scaleBand()
    .domain(o.series.map((s) => s.key))
    .range([0, x.bandwidth()])
    .padding(0.08);
  const values = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const lo = Math.min(0, min(values) ?? 0);
  const hi = Math.max(lo + 1e-9, max(values) ?? 1);
  const y = scaleLinear().domain([lo, hi]).nice().range([f.height, 0]);
  f.plot
    .append("g")
    .attr("class", "gridlines")
    .call(axisLeft(y).ticks(5).tickSize(-f.width).tickFormat(() => ""));
  const xAxis = f.plot.append("g").attr("class", "axis x").attr("transform", `translate(0,${f.height})`).call(axisBottom(x));
  xAxis.selectAll<SVGTextElement, string>(".tick text").text((d) => fitText(d, x.step() * 2, TEXT_PX)).append("title").text((d) => d);
  // Every label gets room for its text: show every k-th one (and its neighbours' stay hidden).
  const widest = Math.max(...o.categories.map((c) => fitText(c, x.step() * 2, TEXT_PX).length)) * TEXT_PX * 0.62 + 6;
  const every = Math.max(1, Math.ceil(widest / x.step()));
  if (every > 1) xAxis.selectAll(".tick text").attr("display", (_, i) => (i % every === 0 ? null : "none"));
  f.plot.append("g").attr("class", "axis y").call(axisLeft(y).ticks(5).tickFormat((v) => tickText(Number(v))));
  axisLabels(f, o.xLabel, o.yLabel);
  for (const s of o.series) {
    const g = f.plot.append("g").attr("class", "bar-series").attr("data-series", s.label);
    o.categories.forEach((c, i) => {
      const v = s.values[i];
      if (v === null || v === undefined) return;
      g.append("rect")
        .attr("class", "bar")
        .attr("fill", s.color)
        .attr("x", x(c)! + (o.single ? 0 : inner(s.key)!))
        .attr("width", o.single ? x.bandwidth() : inner.bandwidth())
        .attr("y", y(Math.max(0, v)))
        .attr("height", Math.abs(y(v) - y(0)))
        .on("mousemove", (event: MouseEvent) => showTooltip(event, [s.label, `${o.xLabel}: ${c}`, `${o.yLabel}: ${fmt(v)}`]))
        .on("mouseleave", hideTooltip);
    });
  }
  drawLegend(
    f,
    o.series.map((s) => ({ label: s.label, color: s.color, shape: "box" as const })),
  );
  return f;
}
