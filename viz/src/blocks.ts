import { loadJson, type Run } from "./data.js";
import { t } from "./i18n.js";
import { fmt } from "./metrics.js";

/**
 * Blockchain and broadcast runs: the fork tree from overlay.json (every block
 * by height; the main chain on the first row, stale blocks below the height
 * they lost at) and, for every run that measured broadcasts, how the share of
 * peers reached grows with time (the means of time to 50, 90 and 100 %).
 */

interface ForkBlock {
  id: number;
  parent: number;
  height: number;
  fate: "main" | "stale" | "open";
  selfish?: boolean;
}

const SVG = "http://www.w3.org/2000/svg";
const COLORS = { main: "#1f5fa8", stale: "#e08a00", open: "#9e9e9e", selfish: "#d6004c" };
/** Heights drawn: the last ones, so a long run's tree still fits. */
const MAX_HEIGHTS = 80;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function block(title: string, note: string): { root: HTMLElement; body: HTMLElement } {
  const root = document.createElement("section");
  root.className = "block";
  const h = document.createElement("h2");
  h.textContent = title;
  const p = document.createElement("p");
  p.className = "muted small";
  p.textContent = note;
  const body = document.createElement("div");
  body.className = "charts";
  root.append(h, p, body);
  return { root, body };
}

function forkTree(blocks: readonly ForkBlock[], label: string): HTMLElement {
  const top = Math.max(0, ...blocks.map((b) => b.height));
  const shown = blocks.filter((b) => b.height > top - MAX_HEIGHTS);
  const first = Math.min(...shown.map((b) => b.height));
  const rowOf = new Map<number, number>();
  const used = new Map<number, number>();
  for (const b of shown) {
    const row = b.fate === "main" ? 0 : 1 + (used.get(b.height) ?? 0);
    if (b.fate !== "main") used.set(b.height, (used.get(b.height) ?? 0) + 1);
    rowOf.set(b.id, row);
  }
  const rows = 1 + Math.max(0, ...used.values());
  const dx = 12;
  const dy = 18;
  const width = 40 + dx * (top - first + 1);
  const height = 40 + dy * rows;
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${t("forkTree")}: ${label}` });
  const x = (h: number) => 20 + dx * (h - first);
  const y = (row: number) => 24 + dy * row;
  const byId = new Map(shown.map((b) => [b.id, b]));
  for (const b of shown) {
    const p = byId.get(b.parent);
    if (!p) continue;
    root.append(svg("line", { x1: x(p.height), y1: y(rowOf.get(p.id)!), x2: x(b.height), y2: y(rowOf.get(b.id)!), stroke: "#bbb", "stroke-width": 1 }));
  }
  for (const b of shown) {
    const c = svg("circle", { cx: x(b.height), cy: y(rowOf.get(b.id)!), r: 4.5, fill: COLORS[b.fate], stroke: b.selfish ? COLORS.selfish : "none", "stroke-width": 2 });
    const title = svg("title", {});
    title.textContent = `#${b.id} · ${t("blockHeight")} ${b.height} · ${t(b.fate === "main" ? "blockMain" : b.fate === "stale" ? "blockStale" : "blockOpen")}${b.selfish ? ` · ${t("blockSelfish")}` : ""}`;
    c.append(title);
    root.append(c);
  }
  const caption = svg("text", { x: 20, y: 12, "font-size": 12, fill: "#444" });
  caption.textContent = label;
  root.append(caption);
  const wrap = document.createElement("div");
  wrap.className = "fork-tree";
  wrap.style.overflowX = "auto";
  wrap.append(root);
  return wrap;
}

function legend(): HTMLElement {
  const p = document.createElement("p");
  p.className = "small";
  for (const [key, color] of [["blockMain", COLORS.main], ["blockStale", COLORS.stale], ["blockOpen", COLORS.open], ["blockSelfish", COLORS.selfish]] as const) {
    const dot = document.createElement("span");
    dot.className = "swatch";
    dot.style.background = color;
    p.append(dot, ` ${t(key)}  `);
  }
  return p;
}

/** Share of peers reached against time, from each run's mean times to 50, 90 and 100 %. */
function coverageCurves(runs: readonly Run[], label: (r: Run) => string, colorOf: (r: Run) => string): HTMLElement | null {
  const curves = runs
    .map((r) => {
      const b = r.summary?.broadcasts?.timeToMs;
      if (!b) return null;
      const points: [number, number][] = [[0, 0]];
      for (const [share, key] of [[0.5, "p50"], [0.9, "p90"], [1, "p100"]] as const) {
        const ms = b[key]?.mean;
        if (typeof ms === "number" && Number.isFinite(ms)) points.push([ms, share]);
      }
      return points.length > 1 ? { run: r, points } : null;
    })
    .filter((c): c is { run: Run; points: [number, number][] } => c !== null);
  if (curves.length === 0) return null;
  const maxMs = Math.max(...curves.flatMap((c) => c.points.map((p) => p[0])), 1);
  const W = 520;
  const H = 260;
  const L = 50;
  const B = 36;
  const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t("coverageCurve") });
  const x = (ms: number) => L + ((W - L - 12) * ms) / maxMs;
  const y = (share: number) => H - B - (H - B - 12) * share;
  root.append(svg("line", { x1: L, y1: y(0), x2: W - 12, y2: y(0), stroke: "#888" }), svg("line", { x1: L, y1: y(0), x2: L, y2: y(1), stroke: "#888" }));
  for (const share of [0.5, 0.9, 1]) {
    const tick = svg("text", { x: L - 6, y: y(share) + 4, "font-size": 11, "text-anchor": "end", fill: "#444" });
    tick.textContent = `${share * 100} %`;
    root.append(tick, svg("line", { x1: L, y1: y(share), x2: W - 12, y2: y(share), stroke: "#eee" }));
  }
  const xLabel = svg("text", { x: (W + L) / 2, y: H - 6, "font-size": 12, "text-anchor": "middle", fill: "#444" });
  xLabel.textContent = `${t("coverageX")} (0 – ${fmt(maxMs / 1000)} s)`;
  root.append(xLabel);
  curves.forEach((c, i) => {
    const key = svg("text", { x: W - 16, y: y(0) - 10 - 14 * i, "font-size": 11, "text-anchor": "end", fill: colorOf(c.run) });
    key.textContent = label(c.run);
    root.append(key);
  });
  for (const c of curves) {
    const color = colorOf(c.run);
    root.append(svg("polyline", { points: c.points.map(([ms, s]) => `${x(ms)},${y(s)}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
    for (const [ms, s] of c.points.slice(1)) {
      const dot = svg("circle", { cx: x(ms), cy: y(s), r: 3, fill: color });
      const title = svg("title", {});
      title.textContent = `${label(c.run)}: ${s * 100} % ${t("coverageAfter")} ${fmt(ms)} ms`;
      dot.append(title);
      root.append(dot);
    }
  }
  return root as unknown as HTMLElement;
}

export async function blockchainSection(parent: HTMLElement, runs: readonly Run[], label: (r: Run) => string, colorOf: (r: Run) => string): Promise<void> {
  const curves = coverageCurves(runs, label, colorOf);
  if (curves) {
    const { root, body } = block(t("coverageCurve"), t("coverageNote"));
    body.append(curves);
    parent.append(root);
  }
  const trees: HTMLElement[] = [];
  for (const r of runs) {
    if (!r.entry.files.includes("overlay.json")) continue;
    const data = await loadJson<{ kind?: string; blocks?: ForkBlock[] }>(r.entry.url + "overlay.json");
    if (data?.kind !== "blockchain" || !Array.isArray(data.blocks) || data.blocks.length === 0) continue;
    trees.push(forkTree(data.blocks, label(r)));
  }
  if (trees.length === 0) return;
  const { root, body } = block(t("forkTree"), t("forkTreeNote"));
  body.append(legend(), ...trees);
  parent.append(root);
}
