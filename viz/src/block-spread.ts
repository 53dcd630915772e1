import { axisBottom, axisLeft, interpolateViridis, line, scaleLinear, scaleSequential, select, curveStepAfter } from "d3";
import { fitText, makeFrame, TEXT_PX, type GSel } from "./charts/frame.js";
import { selectBox } from "./controls.js";
import { loadJson, type Run } from "./data.js";
import { t } from "./i18n.js";
import { fmt } from "./metrics.js";

/**
 * A blockchain run's sample blocks spreading (overlay.json `spread`,
 * docs/results.md): every node at its place on the latency map, or laid
 * out by when it verified if the latency model has no map, lit as the
 * replayed time passes (a ring when it has heard of the block, filled once
 * it has verified it), and beside it the share of nodes that have heard
 * and verified against time. The point for a class: no node passes a block
 * on before verifying it itself.
 */

/** overlay.json as written: per-node lists packed as comma-separated strings (empty: never). */
interface PackedSpread {
  nodes: number;
  blocks: { id: number; height: number; miner: number; fate: "main" | "stale"; heardMs: string; verifiedMs: string }[];
  placement?: { x: string; y: string };
}
interface SpreadBlock {
  id: number;
  height: number;
  miner: number;
  fate: "main" | "stale";
  heardMs: (number | null)[];
  verifiedMs: (number | null)[];
}
interface Spread {
  nodes: number;
  blocks: SpreadBlock[];
  placement?: { x: number[]; y: number[] };
}
interface RegionSpec {
  name: string;
  x: number;
  y: number;
  radius?: number;
}

const view: { runId: string; block: number; timeMs: number; blockKey: string } = { runId: "", block: 0, timeMs: -1, blockKey: "" };
let playing: ReturnType<typeof setInterval> | undefined;

const MAP_W = 640;
const MAP_H = 440;
/** Room at the right of the map for the legend. */
const LEGEND_W = 190;
const CURVE_W = 460;
const CURVE_H = 380;
const HEARD = "#e08a00";
const NOT_YET = "#d4d4d4";
const VERIFIED_LINE = "#1f5fa8";
/** Play: the whole spread in about five seconds. */
const PLAY_STEPS = 100;
const PLAY_TICK_MS = 50;

export async function blockSpreadSection(parent: HTMLElement, runs: readonly Run[], labelOf: (r: Run) => string): Promise<void> {
  const candidates = runs.filter((r) => r.entry.files.includes("overlay.json") && r.entry.overlay === "blockchain");
  if (candidates.length === 0) return;
  if (!candidates.some((r) => r.entry.id === view.runId)) view.runId = candidates[0]!.entry.id;
  const run = candidates.find((r) => r.entry.id === view.runId)!;
  const data = await loadJson<{ spread?: PackedSpread }>(run.entry.url + "overlay.json");
  const spread = unpack(data?.spread);
  if (!spread) return;
  stop();
  const s = document.createElement("section");
  s.className = "block";
  s.id = "block-spread";
  const h = document.createElement("h2");
  h.textContent = t("spreadTitle");
  const note = document.createElement("p");
  note.className = "muted small";
  note.textContent = `${t("spreadNote")} ${t(spread.placement ? "spreadMapNote" : "spreadNoMap")}`;
  s.append(h, note);
  parent.append(s);

  const redraw = () => {
    const fresh = document.createElement("div");
    void blockSpreadSection(fresh, runs, labelOf).then(() => {
      const replacement = fresh.firstElementChild;
      if (replacement) s.replaceWith(replacement);
    });
  };
  view.block = Math.min(view.block, spread.blocks.length - 1);
  const block = spread.blocks[view.block]!;
  const maxMs = Math.max(1, ...block.heardMs.filter(isTime), ...block.verifiedMs.filter(isTime));
  const key = `${run.entry.id}#${block.id}`;
  if (view.blockKey !== key || view.timeMs < 0 || view.timeMs > maxMs) {
    view.blockKey = key;
    view.timeMs = maxMs;
  }

  const controls = document.createElement("div");
  controls.className = "controls spread-controls";
  controls.style.cssText = "display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin:6px 0;font-size:15px";
  if (candidates.length > 1) {
    controls.append(
      selectBox(t("run"), "spread-run", candidates.map((r) => [r.entry.id, labelOf(r)]), run.entry.id, (v) => {
        view.runId = v;
        view.block = 0;
        redraw();
      }),
    );
  }
  controls.append(
    selectBox(
      t("spreadBlock"),
      "spread-block",
      spread.blocks.map((b, i) => [String(i), t("spreadBlockOption", { id: b.id, height: b.height, fate: fateName(b.fate), miner: b.miner })]),
      String(view.block),
      (v) => {
        view.block = Number(v);
        redraw();
      },
    ),
  );
  const slider = document.createElement("input");
  slider.type = "range";
  slider.id = "spread-time";
  slider.min = "0";
  slider.max = String(maxMs);
  slider.step = "1";
  slider.value = String(view.timeMs);
  slider.style.width = "320px";
  const sliderLabel = document.createElement("label");
  sliderLabel.textContent = `${t("spreadTime")}: `;
  sliderLabel.append(slider);
  const play = document.createElement("button");
  play.type = "button";
  play.id = "spread-play";
  play.textContent = t("spreadPlay");
  controls.append(sliderLabel, play);
  const counts = document.createElement("p");
  counts.id = "spread-counts";
  counts.className = "small";
  counts.style.fontSize = "15px";
  s.append(controls, counts);

  const body = document.createElement("div");
  body.style.cssText = "display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start";
  s.append(body);
  const map = drawMap(body, spread, block, maxMs, run);
  const curve = drawCurve(body, spread, block, maxMs);

  const show = (ms: number) => {
    view.timeMs = ms;
    slider.value = String(ms);
    const heard = block.heardMs.filter((x) => isTime(x) && x <= ms).length;
    const verified = block.verifiedMs.filter((x) => isTime(x) && x <= ms).length;
    counts.dataset.heard = String(heard);
    counts.dataset.verified = String(verified);
    counts.textContent = t("spreadCounts", { t: fmt(round1(ms / 1000)), heard, verified, nodes: spread.nodes });
    map(ms);
    curve(ms);
  };
  slider.addEventListener("input", () => {
    stop();
    play.textContent = t("spreadPlay");
    show(Number(slider.value));
  });
  play.addEventListener("click", () => {
    if (playing !== undefined) {
      stop();
      play.textContent = t("spreadPlay");
      return;
    }
    if (view.timeMs >= maxMs) show(0);
    play.textContent = t("spreadPause");
    playing = setInterval(() => {
      // The page re-rendered without this section: stop quietly.
      if (!s.isConnected) return stop();
      const next = Math.min(maxMs, view.timeMs + Math.max(1, Math.ceil(maxMs / PLAY_STEPS)));
      show(next);
      if (next >= maxMs) {
        stop();
        play.textContent = t("spreadPlay");
      }
    }, PLAY_TICK_MS);
  });
  show(view.timeMs);
}

function numbers(packed: unknown, n: number): (number | null)[] | undefined {
  if (typeof packed !== "string") return undefined;
  const out = packed.split(",").map((v) => (v === "" ? null : Number(v)));
  return out.length === n ? out : undefined;
}

function unpack(p: PackedSpread | undefined): Spread | undefined {
  if (!p || !Number.isInteger(p.nodes) || p.nodes <= 0 || !Array.isArray(p.blocks)) return undefined;
  const n = p.nodes;
  const blocks: SpreadBlock[] = [];
  for (const b of p.blocks) {
    const heardMs = numbers(b.heardMs, n);
    const verifiedMs = numbers(b.verifiedMs, n);
    if (heardMs && verifiedMs) blocks.push({ id: b.id, height: b.height, miner: b.miner, fate: b.fate, heardMs, verifiedMs });
  }
  if (blocks.length === 0) return undefined;
  const x = numbers(p.placement?.x, n);
  const y = numbers(p.placement?.y, n);
  const placement = x && y && x.every(isTime) && y.every(isTime) ? { x: x as number[], y: y as number[] } : undefined;
  return { nodes: n, blocks, ...(placement ? { placement } : {}) };
}

function stop(): void {
  if (playing !== undefined) clearInterval(playing);
  playing = undefined;
}

function isTime(x: number | null | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function fateName(fate: string): string {
  return t(fate === "main" ? "blockMain" : "blockStale");
}

type NodeState = "verified" | "heard" | "unknown";

function stateAt(block: SpreadBlock, node: number, ms: number): NodeState {
  const v = block.verifiedMs[node];
  if (isTime(v) && v <= ms) return "verified";
  const h = block.heardMs[node];
  return isTime(h) && h <= ms ? "heard" : "unknown";
}

/** Where each node goes in a square of `size`: the latency map fitted with equal axes, or a spiral by verification order. */
function placeNodes(spread: Spread, block: SpreadBlock, w: number, h: number, regions: readonly RegionSpec[]): { xy: [number, number][]; toMap?: (x: number, y: number) => [number, number]; scale: number } {
  const n = spread.nodes;
  const p = spread.placement;
  if (p && p.x.length === n && p.y.length === n && n > 0) {
    // The regions' discs fit too, so their outlines and names are never cut.
    const r = (g: RegionSpec) => g.radius ?? 0;
    const [x0, x1] = [Math.min(...p.x, ...regions.map((g) => g.x - r(g))), Math.max(...p.x, ...regions.map((g) => g.x + r(g)))];
    const [y0, y1] = [Math.min(...p.y, ...regions.map((g) => g.y - r(g))), Math.max(...p.y, ...regions.map((g) => g.y + r(g)))];
    const k = Math.min((w - 40) / Math.max(1, x1 - x0), (h - 40) / Math.max(1, y1 - y0));
    const ox = (w - k * (x1 - x0)) / 2;
    const oy = (h - k * (y1 - y0)) / 2;
    const toMap = (x: number, y: number): [number, number] => [ox + k * (x - x0), oy + k * (y - y0)];
    return { xy: p.x.map((x, i) => toMap(x, p.y[i]!)), toMap, scale: k };
  }
  // No map: a sunflower spiral, earliest verifier (the miner) in the middle.
  const order = [...Array(n).keys()].sort((a, b) => rank(block, a) - rank(block, b) || a - b);
  const xy: [number, number][] = new Array(n);
  const r = Math.min(w, h) / 2 - 12;
  const golden = Math.PI * (3 - Math.sqrt(5));
  order.forEach((node, i) => {
    const d = r * Math.sqrt(i / Math.max(1, n));
    xy[node] = [w / 2 + d * Math.cos(i * golden), h / 2 + d * Math.sin(i * golden)];
  });
  return { xy, scale: 1 };
}

function rank(block: SpreadBlock, node: number): number {
  const v = block.verifiedMs[node];
  const h = block.heardMs[node];
  return isTime(v) ? v : isTime(h) ? 1e12 + h : 2e12;
}

function regionsOf(run: Run): RegionSpec[] {
  const latency = run.manifest?.scenario?.network?.latency;
  if (latency?.model !== "regions" || !Array.isArray(latency.regions)) return [];
  return (latency.regions as RegionSpec[]).filter((r) => typeof r.name === "string" && Number.isFinite(r.x) && Number.isFinite(r.y));
}

function drawMap(parent: HTMLElement, spread: Spread, block: SpreadBlock, maxMs: number, run: Run): (ms: number) => void {
  const title = (ms: number) => t("spreadMapTitle", { id: block.id, t: fmt(round1(ms / 1000)), fate: fateName(block.fate) });
  const frame = makeFrame(parent, "block-spread-map", title(maxMs), { width: MAP_W, height: MAP_H, legend: false, margin: { left: 12, right: 12, top: 40, bottom: 12 } });
  frame.figure.style.margin = "0";
  const w = MAP_W - 24 - LEGEND_W;
  const h = MAP_H - 52;
  const regions = spread.placement ? regionsOf(run) : [];
  const placed = placeNodes(spread, block, w, h, regions);
  const plot = frame.plot;
  plot.append("rect").attr("width", w).attr("height", h).attr("fill", "#fafafa").attr("stroke", "#e0e0e0");
  const toMap = placed.toMap;
  for (const r of regions) {
    const [cx, cy] = toMap!(r.x, r.y);
    if (typeof r.radius === "number") plot.append("circle").attr("cx", cx).attr("cy", cy).attr("r", r.radius * placed.scale).attr("fill", "none").attr("stroke", "#bbb").attr("stroke-dasharray", "4 4");
  }
  const colorDomain: [number, number] = [0, Math.max(1, ...block.verifiedMs.filter(isTime)) / 1000];
  const color = scaleSequential(interpolateViridis).domain(colorDomain);
  const radius = spread.nodes > 1000 ? 2.5 : spread.nodes > 300 ? 3.5 : 5;
  const nodes = plot
    .append("g")
    .attr("class", "spread-nodes")
    .selectAll("circle")
    .data([...Array(spread.nodes).keys()])
    .join("circle")
    .attr("class", "spread-node")
    .attr("cx", (d) => placed.xy[d]![0])
    .attr("cy", (d) => placed.xy[d]![1]);
  nodes.append("title");
  // The miner's dot on top of any neighbour placed at nearly the same spot.
  nodes.filter((d) => d === block.miner).raise();
  const miner = placed.xy[block.miner];
  if (miner) {
    plot.append("circle").attr("cx", miner[0]).attr("cy", miner[1]).attr("r", radius + 5).attr("fill", "none").attr("stroke", "#111").attr("stroke-width", 2.5);
    plot.append("text").attr("x", miner[0] + radius + 8).attr("y", miner[1] - radius - 6).attr("font-weight", 600).attr("paint-order", "stroke").attr("stroke", "#fff").attr("stroke-width", 4).text(t("spreadMiner"));
  }
  // Region names last, so dots never hide them.
  for (const r of regions) {
    const [cx, cy] = toMap!(r.x, r.y);
    plot.append("text").attr("class", "region-label").attr("x", cx).attr("y", cy).attr("text-anchor", "middle").attr("dy", "0.35em").attr("font-weight", 600).attr("fill", "#333").attr("paint-order", "stroke").attr("stroke", "#fff").attr("stroke-width", 5).text(r.name);
  }
  drawMapLegend(frame.svg.append("g").attr("transform", `translate(${MAP_W - LEGEND_W + 4},${62})`) as unknown as GSel, (v) => color(v), colorDomain, radius);
  const titleText = frame.svg.select<SVGTextElement>("text.svg-title");
  return (ms: number) => {
    titleText.text(title(ms));
    nodes.each(function (d) {
      const state = stateAt(block, d, ms);
      const c = select(this);
      c.attr("data-state", state);
      if (state === "verified") c.attr("r", radius).attr("fill", color(block.verifiedMs[d]! / 1000)).attr("stroke", "#333").attr("stroke-width", 0.6);
      else if (state === "heard") c.attr("r", radius).attr("fill", "#fff").attr("stroke", HEARD).attr("stroke-width", 2);
      else c.attr("r", Math.max(1.5, radius - 1.5)).attr("fill", NOT_YET).attr("stroke", "none");
      const heard = block.heardMs[d];
      const verified = block.verifiedMs[d];
      c.select("title").text(`${d}: ${t("spreadCurveHeard")} ${isTime(heard) ? `${fmt(heard / 1000)} ${t("uS")}` : "–"} · ${t("spreadCurveVerified")} ${isTime(verified) ? `${fmt(verified / 1000)} ${t("uS")}` : "–"}`);
    });
  };
}

function drawMapLegend(g: GSel, color: (s: number) => string, [lo, hi]: [number, number], radius: number): void {
  const room = LEGEND_W - 16;
  g.append("text").attr("font-weight", 600).text(fitText(t("spreadLegendColour"), room, TEXT_PX));
  const barH = 150;
  const steps = 40;
  for (let i = 0; i < steps; i++) {
    g.append("rect")
      .attr("x", 0)
      .attr("y", 22 + (barH * i) / steps)
      .attr("width", 18)
      .attr("height", barH / steps + 0.5)
      .attr("fill", color(lo + ((hi - lo) * i) / (steps - 1)));
  }
  const axis = scaleLinear().domain([lo, hi]).range([22, 22 + barH]);
  for (const v of axis.ticks(5)) {
    g.append("line").attr("x1", 18).attr("x2", 23).attr("y1", axis(v)).attr("y2", axis(v)).attr("stroke", "#555");
    g.append("text").attr("x", 27).attr("y", axis(v)).attr("dy", "0.35em").text(`${fmt(v)} ${t("uS")}`);
  }
  const items: [string, (s: GSel) => void][] = [
    [t("spreadHeard"), (s) => void s.append("circle").attr("cx", 9).attr("r", radius + 1).attr("fill", "#fff").attr("stroke", HEARD).attr("stroke-width", 2)],
    [t("spreadNotYet"), (s) => void s.append("circle").attr("cx", 9).attr("r", radius).attr("fill", NOT_YET)],
    [t("spreadMiner"), (s) => void s.append("circle").attr("cx", 9).attr("r", 7).attr("fill", "none").attr("stroke", "#111").attr("stroke-width", 2.5)],
  ];
  items.forEach(([label, mark], i) => {
    const item = g.append("g").attr("class", "legend-item").attr("transform", `translate(0,${barH + 44 + i * 26})`) as unknown as GSel;
    mark(item);
    item.append("text").attr("x", 24).attr("dy", "0.35em").text(fitText(label, room - 24, TEXT_PX));
  });
}

/** Share of nodes that have heard of and verified the block, against time, with the replayed moment marked. */
function drawCurve(parent: HTMLElement, spread: Spread, block: SpreadBlock, maxMs: number): (ms: number) => void {
  const frame = makeFrame(parent, "block-spread-curve", t("spreadCurveTitle", { id: block.id }), {
    width: CURVE_W,
    height: CURVE_H,
    legend: [t("spreadCurveHeard"), t("spreadCurveVerified")],
    margin: { left: 80 },
  });
  frame.figure.style.margin = "0";
  const x = scaleLinear().domain([0, maxMs / 1000]).range([0, frame.width]);
  const y = scaleLinear().domain([0, 1]).range([frame.height, 0]);
  const plot = frame.plot;
  plot.append("g").attr("class", "axis").attr("transform", `translate(0,${frame.height})`).call(axisBottom(x).ticks(6));
  plot.append("g").attr("class", "axis").call(axisLeft(y).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)} %`));
  plot.append("text").attr("class", "axis-label").attr("x", frame.width / 2).attr("y", frame.height + 44).attr("text-anchor", "middle").text(fitText(t("spreadCurveX"), frame.width, TEXT_PX));
  plot
    .append("text")
    .attr("class", "axis-label")
    .attr("transform", `translate(${-frame.margin.left + 14},${frame.height / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .text(fitText(t("spreadCurveY"), frame.height, TEXT_PX));
  const n = Math.max(1, spread.nodes);
  const steps = (times: (number | null)[]): [number, number][] => {
    const sorted = times.filter(isTime).sort((a, b) => a - b);
    const points: [number, number][] = [[0, 0]];
    sorted.forEach((ms, i) => points.push([ms / 1000, (i + 1) / n]));
    points.push([maxMs / 1000, sorted.length / n]);
    return points;
  };
  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]))
    .curve(curveStepAfter);
  plot.append("path").attr("class", "series spread-heard").attr("d", path(steps(block.heardMs))).attr("stroke", HEARD).attr("stroke-dasharray", "6 4");
  plot.append("path").attr("class", "series spread-verified").attr("d", path(steps(block.verifiedMs))).attr("stroke", VERIFIED_LINE);
  const legendX = frame.legendX;
  [
    [t("spreadCurveHeard"), HEARD, "6 4"],
    [t("spreadCurveVerified"), VERIFIED_LINE, null],
  ].forEach(([label, c, dash], i) => {
    const item = frame.svg.append("g").attr("class", "legend-item").attr("transform", `translate(${legendX},${frame.margin.top + 6 + i * 22})`);
    item.append("line").attr("x2", 18).attr("stroke", c!).attr("stroke-width", 3).attr("stroke-dasharray", dash);
    item.append("text").attr("x", 24).attr("dy", "0.35em").text(fitText(label!, CURVE_W - legendX - 30, TEXT_PX));
  });
  const rule = plot.append("line").attr("class", "rule spread-now").attr("y1", 0).attr("y2", frame.height).style("stroke", "#c0392b").style("stroke-width", "2");
  return (ms: number) => {
    rule.attr("x1", x(ms / 1000)).attr("x2", x(ms / 1000));
  };
}
