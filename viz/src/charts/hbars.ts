import { axisBottom, axisLeft, max, scaleBand, scaleLinear, scaleLog } from "d3";
import { fmt } from "../metrics.js";
import { fitText, hideTooltip, makeFrame, showTooltip, spansDecades, TEXT_PX, textWidth, tickText, type Frame } from "./frame.js";

/**
 * One value per run as horizontal bars: names on the left where they always
 * fit (one row each, never rotated or overlapping), the value printed at the
 * end of each bar, and a log axis when the values span decades (flooding's
 * thousands of messages next to a DHT's handful).
 */

export interface HBar {
  label: string;
  color: string;
  value: number | null;
  /** A 95 % interval drawn as a whisker, when known. */
  low?: number;
  high?: number;
}

export interface HBarOptions {
  id: string;
  title: string;
  xLabel: string;
  bars: HBar[];
  width?: number;
  /** Log scale: true, false, or undefined for "when the values span decades". */
  log?: boolean;
  onToggleLog?: (log: boolean) => void;
  /** Formats a value for its label (default fmt). */
  valueText?: (v: number) => string;
  /** Largest value of the axis (100 for percentages). */
  maxValue?: number;
}

export function hbarChart(parent: HTMLElement, o: HBarOptions): Frame {
  const values = o.bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const canLog = values.length > 0 && values.every((v) => v > 0);
  const log = canLog && (o.log ?? spansDecades(values));
  const width = o.width ?? 460;
  const labelWidth = Math.min(width * 0.42, Math.max(40, ...o.bars.map((b) => textWidth(b.label, TEXT_PX))) + 14);
  const valueText = o.valueText ?? fmt;
  const valueRoom = Math.max(...o.bars.map((b) => (b.value === null ? 10 : textWidth(valueText(b.value), TEXT_PX)))) + 12;
  const rowHeight = 34;
  const height = 40 + 52 + o.bars.length * rowHeight + 12;
  const f = makeFrame(parent, o.id, o.title, {
    width,
    height,
    legend: false,
    margin: { left: labelWidth + 8, right: valueRoom + 8, top: 44 },
    ...(canLog && o.onToggleLog ? { scaleToggle: { log, onToggle: () => o.onToggleLog!(!log) } } : {}),
  });
  const y = scaleBand()
    .domain(o.bars.map((_, i) => String(i)))
    .range([0, f.height])
    .paddingInner(0.25)
    .paddingOuter(0.1);
  const top = Math.max(o.maxValue ?? 0, max(o.bars.map((b) => Math.max(b.value ?? 0, b.high ?? 0))) ?? 1, 1e-9);
  const x = log
    ? scaleLog()
        .domain([Math.min(...values) / 2, top * 1.05])
        .nice()
        .range([0, f.width])
    : scaleLinear().domain([0, top]).nice().range([0, f.width]);
  // About one tick per 90 px, so "1,500" and "2,000" never touch.
  const ticks = log ? x.ticks(5).filter((v) => Number.isInteger(Math.log10(v))) : x.ticks(Math.max(2, Math.floor(f.width / 90)));
  f.plot
    .append("g")
    .attr("class", "gridlines")
    .call(axisBottom(x).tickValues(ticks).tickSize(f.height).tickFormat(() => ""));
  f.plot
    .append("g")
    .attr("class", "axis x")
    .attr("transform", `translate(0,${f.height})`)
    .call(axisBottom(x).tickValues(ticks).tickFormat((v) => tickText(Number(v))));
  const yAxis = f.plot.append("g").attr("class", "axis y").call(axisLeft(y).tickSize(0).tickPadding(8));
  yAxis.selectAll<SVGTextElement, string>(".tick text").text((d) => fitText(o.bars[Number(d)]!.label, labelWidth - 12, TEXT_PX));
  yAxis.select(".domain").attr("stroke", "#888");
  f.plot
    .append("text")
    .attr("class", "axis-label")
    .attr("x", f.width / 2)
    .attr("y", f.height + 44)
    .attr("text-anchor", "middle")
    .text(fitText(o.xLabel, f.width + f.margin.right - 8, TEXT_PX));
  const x0 = log ? x.range()[0]! : x(0);
  o.bars.forEach((b, i) => {
    const g = f.plot.append("g").attr("class", "bar-series").attr("data-series", b.label);
    const yy = y(String(i))!;
    if (b.value === null || !Number.isFinite(b.value)) {
      g.append("text").attr("class", "value-label").attr("x", 4).attr("y", yy + y.bandwidth() / 2).attr("dy", "0.35em").text("–");
      return;
    }
    const end = x(b.value);
    g.append("rect")
      .attr("class", "bar")
      .attr("fill", b.color)
      .attr("x", x0)
      .attr("y", yy)
      .attr("height", y.bandwidth())
      .attr("width", Math.max(1, end - x0))
      .on("mousemove", (event: MouseEvent) => showTooltip(event, [b.label, `${o.xLabel}: ${valueText(b.value!)}`]))
      .on("mouseleave", hideTooltip);
    if (b.low !== undefined && b.high !== undefined && Number.isFinite(b.low) && Number.isFinite(b.high) && (!log || b.low > 0)) {
      const mid = yy + y.bandwidth() / 2;
      g.append("path")
        .attr("class", "whisker")
        .attr("stroke", "#222")
        .attr("stroke-width", 1.5)
        .attr("fill", "none")
        .attr("d", `M${x(b.low)},${mid - 6}V${mid + 6}M${x(b.low)},${mid}H${x(b.high)}M${x(b.high)},${mid - 6}V${mid + 6}`);
    }
    const labelX = Math.max(end, b.high !== undefined && Number.isFinite(b.high) ? x(b.high) : end) + 6;
    g.append("text")
      .attr("class", "value-label")
      .attr("x", labelX)
      .attr("y", yy + y.bandwidth() / 2)
      .attr("dy", "0.35em")
      .text(valueText(b.value));
  });
  return f;
}
