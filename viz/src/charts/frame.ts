import { select, type Selection } from "d3";
import { exportPng, exportSvg } from "../export.js";
import { t } from "../i18n.js";

/**
 * The frame every chart shares: a <figure> with a caption and export
 * buttons, an SVG with its own title, style and legend (so an exported file
 * stands alone), and the page's tooltip. All text goes in with .text().
 *
 * Sizes are for a projector: the SVG is drawn at its own pixel size and the
 * page never shows it smaller than that (CSS max-width only shrinks it on a
 * narrower window), so 14 px text stays at least 14 px at 1280×720. Labels
 * that could collide are measured (textWidth) and shortened to fit.
 */

export const WIDTH = 720;
export const FONT = `system-ui, -apple-system, "Segoe UI", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", sans-serif`;
/** Text sizes in px: nothing on a chart is smaller than TEXT_PX. */
export const TEXT_PX = 14;
export const TITLE_PX = 17;
export const MARGIN = { top: 40, right: 18, bottom: 52, left: 80 };

/** Styles inside each SVG, so exported files look like the page. */
const SVG_STYLE = `
text { font: ${TEXT_PX}px ${FONT}; fill: #222; }
.svg-title { font-size: ${TITLE_PX}px; font-weight: 600; }
.axis-label { font-size: ${TEXT_PX}px; fill: #333; }
.axis path, .axis line { stroke: #888; }
.axis text { font-size: ${TEXT_PX}px; fill: #333; }
.gridlines line { stroke: #e6e6e6; }
.gridlines path { display: none; }
.series { fill: none; stroke-width: 2.5; }
.series.reference { stroke-dasharray: 6 4; stroke-width: 2; }
.band { opacity: 0.18; }
.annotation line { stroke: #c0392b; stroke-dasharray: 4 3; stroke-width: 1.4; }
.annotation text { font-size: ${TEXT_PX}px; fill: #a93226; }
.annotation rect.window { fill: #c0392b; fill-opacity: 0.09; pointer-events: none; }
.warmup rect { fill: #f0f0f0; }
.warmup text { font-size: ${TEXT_PX}px; fill: #777; }
.legend-item text { font-size: ${TEXT_PX}px; }
.value-label { font-size: ${TEXT_PX}px; fill: #222; font-variant-numeric: tabular-nums; }
.rule { stroke: #555; stroke-width: 1; }
`;

export type SvgSel = Selection<SVGSVGElement, unknown, null, undefined>;
export type GSel = Selection<SVGGElement, unknown, null, undefined>;

export interface Frame {
  figure: HTMLElement;
  svg: SvgSel;
  plot: GSel;
  /** Inner plot size. */
  width: number;
  height: number;
  /** Left edge of the legend, in SVG coordinates. */
  legendX: number;
  margin: typeof MARGIN;
}

export interface FrameOptions {
  height?: number;
  width?: number;
  /** Room for a legend at the right: the labels it will hold (measured), or false for none. */
  legend?: readonly string[] | false;
  margin?: Partial<typeof MARGIN>;
  /** A log/linear switch in the caption. */
  scaleToggle?: { log: boolean; onToggle: () => void };
}

export function makeFrame(parent: HTMLElement, id: string, title: string, options: FrameOptions = {}): Frame {
  const width = options.width ?? WIDTH;
  const height = options.height ?? 320;
  const legendWidth = options.legend ? Math.min(Math.round(width * 0.34), Math.max(0, ...options.legend.map((l) => textWidth(l, TEXT_PX))) + 34) : 0;
  const margin = { ...MARGIN, ...options.margin };
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.dataset.chart = id;
  const caption = document.createElement("figcaption");
  const name = document.createElement("span");
  name.className = "chart-title sr-only";
  name.textContent = title;
  const actions = document.createElement("span");
  actions.className = "actions";
  caption.append(name, actions);
  figure.append(caption);
  parent.append(figure);

  const svg = select(figure)
    .append("svg")
    .attr("xmlns", "http://www.w3.org/2000/svg")
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("width", width)
    .attr("height", height)
    .attr("role", "img")
    .attr("aria-label", title) as unknown as SvgSel;
  (svg.node() as SVGSVGElement).style.minWidth = `${Math.min(width, 480)}px`;
  svg.append("style").text(SVG_STYLE);
  svg.append("rect").attr("width", width).attr("height", height).attr("fill", "#fff");
  svg.append("text").attr("class", "svg-title").attr("x", 12).attr("y", 24).text(fitText(title, width - 24, TITLE_PX, true)).append("title").text(title);
  const plot = svg.append("g").attr("class", "plot").attr("transform", `translate(${margin.left},${margin.top})`) as unknown as GSel;

  if (options.scaleToggle) {
    const toggle = options.scaleToggle;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "scale-toggle";
    b.dataset.log = String(toggle.log);
    b.title = t("scaleToggle");
    b.textContent = toggle.log ? `${t("logScale")} ✓ · ${t("linearScale")}` : `${t("logScale")} · ${t("linearScale")} ✓`;
    b.addEventListener("click", toggle.onToggle);
    actions.append(b);
  }
  const fileName = id.replace(/[^A-Za-z0-9_-]+/g, "-");
  for (const [label, run] of [
    [t("exportSvg"), () => exportSvg(svg.node()!, `${fileName}.svg`)],
    [t("exportPng"), () => exportPng(svg.node()!, `${fileName}.png`)],
  ] as const) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "export";
    b.dataset.export = label.toLowerCase();
    b.title = `${t("download")} ${label}`;
    b.textContent = label;
    b.addEventListener("click", () => void run());
    actions.append(b);
  }
  const plotWidth = width - margin.left - margin.right - legendWidth;
  return {
    figure,
    svg,
    plot,
    width: plotWidth,
    height: height - margin.top - margin.bottom,
    legendX: margin.left + plotWidth + 18,
    margin,
  };
}

export interface LegendEntry {
  label: string;
  color: string;
  /** "line" (default), "box" or "dash". */
  shape?: "line" | "box" | "dash";
}

export function drawLegend(frame: Frame, entries: readonly LegendEntry[]): void {
  const room = Number(frame.svg.attr("width")) - frame.legendX - 6;
  const g = frame.svg.append("g").attr("class", "legend").attr("transform", `translate(${frame.legendX},${frame.margin.top + 6})`);
  entries.forEach((e, i) => {
    const item = g.append("g").attr("class", "legend-item").attr("transform", `translate(0,${i * 22})`);
    if (e.shape === "box") item.append("rect").attr("width", 16).attr("height", 12).attr("y", -6).attr("fill", e.color);
    else
      item
        .append("line")
        .attr("x1", 0)
        .attr("x2", 18)
        .attr("stroke", e.color)
        .attr("stroke-width", 3)
        .attr("stroke-dasharray", e.shape === "dash" ? "5 3" : null);
    item.append("text").attr("x", 24).attr("dy", "0.35em").text(fitText(e.label, room - 24, TEXT_PX));
    item.append("title").text(e.label);
  });
}

export function axisLabels(frame: Frame, xLabel: string, yLabel: string): void {
  frame.plot
    .append("text")
    .attr("class", "axis-label")
    .attr("x", frame.width / 2)
    .attr("y", frame.height + 44)
    .attr("text-anchor", "middle")
    .text(fitText(xLabel, frame.width, TEXT_PX));
  frame.plot
    .append("text")
    .attr("class", "axis-label")
    .attr("transform", `translate(${-frame.margin.left + 18},${frame.height / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .text(fitText(yLabel, frame.height, TEXT_PX));
}

let measurer: CanvasRenderingContext2D | null | undefined;

/** Width in px of `s` drawn at `px` in the charts' font (an estimate where canvas is unavailable). */
export function textWidth(s: string, px: number, bold = false): number {
  if (measurer === undefined) measurer = document.createElement("canvas").getContext("2d");
  if (measurer) {
    measurer.font = `${bold ? "600 " : ""}${px}px ${FONT}`;
    return measurer.measureText(s).width;
  }
  let w = 0;
  for (const ch of s) w += /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u4e00-\u9fff]/.test(ch) ? px : px * 0.58;
  return w;
}

/** `s`, shortened with "…" in the middle until it fits `maxPx`. */
export function fitText(s: string, maxPx: number, px: number, bold = false): string {
  if (textWidth(s, px, bold) <= maxPx) return s;
  const chars = [...s];
  for (let keep = chars.length - 1; keep > 1; keep--) {
    const head = Math.ceil(keep / 2);
    const candidate = `${chars.slice(0, head).join("")}…${chars.slice(chars.length - (keep - head)).join("")}`;
    if (textWidth(candidate, px, bold) <= maxPx) return candidate;
  }
  return "…";
}

/** Kept for older callers: the end of `s` after "…" when longer than n characters. */
export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}

/** The page's tooltip: each line as its own text node. */
export function showTooltip(event: MouseEvent, lines: readonly string[]): void {
  const tip = document.getElementById("tooltip");
  if (!tip) return;
  tip.replaceChildren(
    ...lines.map((line, i) => {
      const div = document.createElement("div");
      if (i === 0) div.className = "tip-head";
      div.textContent = line;
      return div;
    }),
  );
  tip.hidden = false;
  const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  const y = Math.min(event.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
  tip.style.left = `${x + window.scrollX}px`;
  tip.style.top = `${y + window.scrollY}px`;
}

export function hideTooltip(): void {
  const tip = document.getElementById("tooltip");
  if (tip) tip.hidden = true;
}

export function emptyNote(parent: HTMLElement, text: string): void {
  const p = document.createElement("p");
  p.className = "muted empty";
  p.textContent = text;
  parent.append(p);
}

/** Tick labels that stay short: 1,200 → 1.2k, 3,000,000 → 3M. */
export function tickText(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a !== 0 && a < 0.01) return v.toExponential(0);
  return `${+v.toPrecision(4)}`.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** True when positive values span at least two decades: a log scale then shows them all. */
export function spansDecades(values: readonly number[]): boolean {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length < 2) return false;
  return Math.max(...pos) / Math.min(...pos) >= 100;
}
