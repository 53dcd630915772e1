import { select, type Selection } from "d3";
import { exportPng, exportSvg } from "../export.js";
import { t } from "../i18n.js";

/**
 * The frame every chart shares: a <figure> with a caption and export
 * buttons, an SVG with its own title, style and legend (so an exported file
 * stands alone), and the page's tooltip. All text goes in with .text().
 */

export const WIDTH = 720;
export const LEGEND_WIDTH = 190;
export const MARGIN = { top: 36, right: 16, bottom: 46, left: 64 };

/** Styles inside each SVG, so exported files look like the page. */
const SVG_STYLE = `
text { font: 12px system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Malgun Gothic", sans-serif; fill: #222; }
.svg-title { font-size: 14px; font-weight: 600; }
.axis-label { font-size: 12px; fill: #444; }
.axis path, .axis line { stroke: #888; }
.axis text { font-size: 11px; fill: #444; }
.gridlines line { stroke: #e6e6e6; }
.gridlines path { display: none; }
.series { fill: none; stroke-width: 2; }
.band { opacity: 0.18; }
.annotation line { stroke: #c0392b; stroke-dasharray: 4 3; stroke-width: 1.2; }
.annotation text { font-size: 10px; fill: #c0392b; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.annotation rect.window { fill: #c0392b; fill-opacity: 0.07; pointer-events: none; }
.warmup rect { fill: #f2f2f2; }
.warmup text { font-size: 10px; fill: #888; }
.legend-item text { font-size: 11px; }
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
}

export function makeFrame(parent: HTMLElement, id: string, title: string, options: { height?: number; legend?: boolean } = {}): Frame {
  const height = options.height ?? 300;
  const legend = options.legend ?? true;
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
    .attr("viewBox", `0 0 ${WIDTH} ${height}`)
    .attr("width", WIDTH)
    .attr("height", height)
    .attr("role", "img")
    .attr("aria-label", title) as unknown as SvgSel;
  svg.append("style").text(SVG_STYLE);
  svg.append("rect").attr("width", WIDTH).attr("height", height).attr("fill", "#fff");
  svg.append("text").attr("class", "svg-title").attr("x", 12).attr("y", 20).text(title);
  const plot = svg.append("g").attr("class", "plot").attr("transform", `translate(${MARGIN.left},${MARGIN.top})`) as unknown as GSel;

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
  return {
    figure,
    svg,
    plot,
    width: WIDTH - MARGIN.left - MARGIN.right - (legend ? LEGEND_WIDTH : 0),
    height: height - MARGIN.top - MARGIN.bottom,
  };
}

export interface LegendEntry {
  label: string;
  color: string;
  /** "line" (default), "box" or "dash". */
  shape?: "line" | "box" | "dash";
}

export function drawLegend(frame: Frame, entries: readonly LegendEntry[]): void {
  const g = frame.svg
    .append("g")
    .attr("class", "legend")
    .attr("transform", `translate(${WIDTH - LEGEND_WIDTH + 8},${MARGIN.top})`);
  entries.forEach((e, i) => {
    const item = g.append("g").attr("class", "legend-item").attr("transform", `translate(0,${i * 18})`);
    if (e.shape === "box") item.append("rect").attr("width", 14).attr("height", 10).attr("y", -5).attr("fill", e.color);
    else
      item
        .append("line")
        .attr("x1", 0)
        .attr("x2", 16)
        .attr("stroke", e.color)
        .attr("stroke-width", 2.5)
        .attr("stroke-dasharray", e.shape === "dash" ? "4 3" : null);
    item.append("text").attr("x", 22).attr("dy", "0.35em").text(truncate(e.label, 26));
    item.append("title").text(e.label);
  });
}

export function axisLabels(frame: Frame, xLabel: string, yLabel: string): void {
  frame.plot
    .append("text")
    .attr("class", "axis-label")
    .attr("x", frame.width / 2)
    .attr("y", frame.height + 38)
    .attr("text-anchor", "middle")
    .text(xLabel);
  frame.plot
    .append("text")
    .attr("class", "axis-label")
    .attr("transform", `translate(${-48},${frame.height / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .text(yLabel);
}

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
