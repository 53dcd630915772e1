import { select } from "d3";
import { emptyNote, makeFrame } from "../charts/frame.js";
import { loadSnapshots, loadTraces, type Run, type Snapshot, type TracedLookup } from "../data.js";
import { t } from "../i18n.js";
import { fmt } from "../metrics.js";
import { layout, layoutKind, type Placed } from "./layout.js";

/**
 * The classroom view: the overlay of one run at the moments its scenario
 * asked for (metrics.snapshots), a timeline of those moments and of fault
 * events to step through, and traced lookups (metrics.traceLookups) replayed
 * message by message on the picture.
 */

const SIZE = 640;
const KIND_COLORS: Record<string, string> = {
  successor: "#1f77b4",
  "successor-list": "#9ecae1",
  predecessor: "#9467bd",
  finger: "#ff7f0e",
  bucket: "#2ca02c",
  neighbour: "#7f7f7f",
  index: "#8c564b",
  "super-peer": "#d62728",
  leaf: "#bcbd22",
};
/** Link kinds drawn unless the user ticks them: too many lines otherwise. */
const HIDDEN_BY_DEFAULT = new Set(["successor-list", "predecessor"]);

interface ViewState {
  runId?: string;
  snapshot: number;
  lookup: number;
  step: number;
  hiddenKinds: Set<string>;
  /** The run whose defaults `hiddenKinds` holds. */
  kindsFor?: string;
}

const view: ViewState = { snapshot: 0, lookup: 0, step: 0, hiddenKinds: new Set(HIDDEN_BY_DEFAULT) };
let playing: number | undefined;

interface TimelineEvent {
  timeS: number;
  kind: "snapshot" | "annotation";
  label: string;
  snapshot?: number;
}

export async function topologySection(parent: HTMLElement, runs: readonly Run[], labelOf: (r: Run) => string): Promise<void> {
  const s = document.createElement("section");
  s.className = "block";
  s.id = "topology";
  const h = document.createElement("h2");
  h.textContent = t("topology");
  s.append(h);
  parent.append(s);
  const candidates = runs.filter((r) => r.entry.files.includes("snapshots.json"));
  if (candidates.length === 0) return emptyNote(s, t("noTopology"));
  if (!candidates.some((r) => r.entry.id === view.runId)) view.runId = candidates[0]!.entry.id;
  const run = candidates.find((r) => r.entry.id === view.runId)!;
  const [snapshots, traces] = await Promise.all([loadSnapshots(run.entry), loadTraces(run.entry)]);
  if (snapshots.length === 0) return emptyNote(s, t("noTopology"));
  view.snapshot = Math.min(view.snapshot, snapshots.length - 1);
  view.lookup = Math.min(view.lookup, Math.max(0, traces.length - 1));

  const controls = document.createElement("div");
  controls.className = "controls";
  s.append(controls);
  if (candidates.length > 1) {
    controls.append(
      selectBox(t("run"), "topology-run", candidates.map((r) => [r.entry.id, labelOf(r)]), run.entry.id, (v) => {
        view.runId = v;
        view.snapshot = view.lookup = view.step = 0;
        redraw();
      }),
    );
  }
  const body = document.createElement("div");
  body.className = "topology-body";
  s.append(body);

  const events: TimelineEvent[] = [
    ...snapshots.map((sn, i) => ({ timeS: sn.timeMs / 1000, kind: "snapshot" as const, label: `${t("eventSnapshot")} ${i + 1}`, snapshot: i })),
    ...run.annotations.map((a) => ({ timeS: a.time_s, kind: "annotation" as const, label: String(a.label ?? a.kind) })),
  ].sort((a, b) => a.timeS - b.timeS || (a.kind === "snapshot" ? -1 : 1));
  const overlayType = String(run.manifest?.scenario?.overlay?.type ?? "");

  function redraw() {
    stop();
    // Re-render only this section in place.
    const fresh = document.createElement("div");
    void topologySection(fresh, runs, labelOf).then(() => {
      const replacement = fresh.firstElementChild;
      if (replacement) s.replaceWith(replacement);
    });
  }

  // Timeline: snapshots and fault events, with a scrubber and step buttons.
  const timeline = document.createElement("div");
  timeline.className = "timeline";
  const scrub = document.createElement("input");
  scrub.type = "range";
  scrub.id = "snapshot-scrubber";
  scrub.min = "0";
  scrub.max = String(snapshots.length - 1);
  scrub.step = "1";
  scrub.value = String(view.snapshot);
  scrub.addEventListener("input", () => {
    view.snapshot = Number(scrub.value);
    redraw();
  });
  const current = snapshots[view.snapshot]!;
  if (view.kindsFor !== run.entry.id) {
    // Fingers of hundreds of peers hide everything else: off by default on big rings.
    view.kindsFor = run.entry.id;
    view.hiddenKinds = new Set([...HIDDEN_BY_DEFAULT, ...(current.peers.length > 150 ? ["finger"] : [])]);
  }
  const where = document.createElement("span");
  where.className = "timeline-now";
  where.textContent = `${t("snapshot")} ${view.snapshot + 1}/${snapshots.length} · ${fmt(current.timeMs / 1000)} ${t("uS")} · ${t("peersShown", {
    shown: current.peers.length,
    online: current.peersOnline,
  })}`;
  const prev = button(t("prev"), "timeline-prev", () => stepTimeline(-1));
  const next = button(t("next"), "timeline-next", () => stepTimeline(1));
  const label = document.createElement("label");
  label.textContent = `${t("timeline")}: `;
  label.append(scrub);
  timeline.append(label, prev, next, where);
  body.append(timeline);
  drawTimeline(body, events, current.timeMs / 1000, (i) => {
    view.snapshot = i;
    redraw();
  });

  function stepTimeline(dir: 1 | -1) {
    // Step mode: the next (or previous) snapshot in time; fault events between are listed on the strip.
    const i = view.snapshot + dir;
    if (i < 0 || i >= snapshots.length) return;
    view.snapshot = i;
    redraw();
  }

  // The picture.
  const frame = makeFrame(body, `topology-${overlayType || "overlay"}`, `${overlayType || "overlay"} · ${labelOf(run)} · ${fmt(current.timeMs / 1000)} ${t("uS")}`, {
    height: SIZE,
    legend: true,
  });
  frame.svg.attr("viewBox", `0 0 ${SIZE + 190} ${SIZE}`).attr("width", SIZE + 190).attr("height", SIZE);
  frame.plot.attr("transform", "translate(0,10)");
  const kind = layoutKind(overlayType, current);
  const pos = layout(kind, current, SIZE - 20);
  drawGraph(frame.plot, current, pos, kind);
  const kinds = [...new Set(current.peers.flatMap((p) => p.linkKinds ?? []))];
  const legend = frame.svg.append("g").attr("class", "legend").attr("transform", `translate(${SIZE + 4},40)`);
  legend.append("text").attr("y", -14).text(t("legendLinks"));
  kinds.forEach((k, i) => {
    const item = legend.append("g").attr("class", "legend-item").attr("transform", `translate(0,${i * 18})`);
    item.append("line").attr("x2", 16).attr("stroke", KIND_COLORS[k] ?? "#999").attr("stroke-width", 2.5).attr("opacity", view.hiddenKinds.has(k) ? 0.25 : 1);
    item.append("text").attr("x", 22).attr("dy", "0.35em").text(k);
  });
  // Toggles for link kinds.
  const toggles = document.createElement("div");
  toggles.className = "kinds";
  for (const k of kinds) {
    const l = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !view.hiddenKinds.has(k);
    box.dataset.kind = k;
    box.addEventListener("change", () => {
      if (box.checked) view.hiddenKinds.delete(k);
      else view.hiddenKinds.add(k);
      redraw();
    });
    l.append(box, ` ${k}`);
    toggles.append(l);
  }
  body.insertBefore(toggles, frame.figure);

  // Replay of traced lookups.
  if (traces.length > 0) replay(body, frame.plot, traces, pos, redraw, (i) => {
    // Show the lookup on the last snapshot taken before it started, if any.
    const start = traces[i]!.startMs;
    let best = view.snapshot;
    snapshots.forEach((sn, j) => {
      if (sn.timeMs <= start) best = j;
    });
    return best;
  });
}

function drawGraph(g: any, snapshot: Snapshot, pos: Map<number, Placed>, kind: string): void {
  const links = g.append("g").attr("class", "links");
  const byKind = new Map<string, string[]>();
  for (const p of snapshot.peers) {
    const a = pos.get(p.peer);
    if (!a) continue;
    p.links.forEach((to, i) => {
      const k = p.linkKinds?.[i] ?? "link";
      if (view.hiddenKinds.has(k)) return;
      const b = pos.get(to);
      if (!b) return;
      let d: string;
      if (kind === "line") {
        // Arc above the line, so links between close identifiers stay short.
        const r = Math.abs(b.x - a.x) / 2;
        d = `M${a.x},${a.y} A${r},${r} 0 0,${a.x < b.x ? 1 : 0} ${b.x},${b.y}`;
      } else if (kind === "ring" && k !== "successor") {
        // Chords bend towards the centre, as in Chord's own pictures.
        const c = (SIZE - 20) / 2;
        const qx = c + ((a.x + b.x) / 2 - c) * 0.35;
        const qy = c + ((a.y + b.y) / 2 - c) * 0.35;
        d = `M${a.x},${a.y} Q${qx},${qy} ${b.x},${b.y}`;
      } else d = `M${a.x},${a.y} L${b.x},${b.y}`;
      if (!byKind.has(k)) byKind.set(k, []);
      byKind.get(k)!.push(d);
    });
  }
  // One path per kind keeps the DOM small with thousands of links.
  for (const [k, ds] of byKind) {
    links
      .append("path")
      .attr("class", `link link-${k}`)
      .attr("data-kind", k)
      .attr("data-count", ds.length)
      .attr("fill", "none")
      .attr("stroke", KIND_COLORS[k] ?? "#999")
      .attr("stroke-opacity", k === "finger" || k === "neighbour" || k === "index" || k === "bucket" ? 0.35 : 0.8)
      .attr("stroke-width", k === "successor" ? 1.6 : 0.8)
      .attr("d", ds.join(" "));
  }
  const n = snapshot.peers.length;
  const r = n > 300 ? 2.5 : n > 100 ? 3.5 : 5;
  const nodes = g.append("g").attr("class", "nodes");
  for (const p of snapshot.peers) {
    const at = pos.get(p.peer);
    if (!at) continue;
    const big = p.role === "index" ? 12 : p.role === "super-peer" ? r + 2 : r;
    const c = nodes
      .append("circle")
      .attr("class", `node${p.role ? ` role-${p.role}` : ""}`)
      .attr("data-peer", p.peer)
      .attr("cx", at.x)
      .attr("cy", at.y)
      .attr("r", big)
      .attr("fill", p.role === "index" ? "#8c564b" : p.role === "super-peer" ? "#d62728" : "#4c72b0")
      .attr("stroke", "#fff")
      .attr("stroke-width", 1);
    c.append("title").text(`peer ${p.peer}${p.role ? ` (${p.role})` : ""}${p.position !== undefined ? ` · id ${fmt(p.position)}` : ""} · ${p.links.length} links · ${p.keys.length} keys`);
    if (n <= 40 || p.role === "index") {
      nodes
        .append("text")
        .attr("class", "node-label")
        .attr("x", at.x + big + 2)
        .attr("y", at.y - big)
        .attr("font-size", 10)
        .text(p.role === "index" ? `index ${p.peer}` : String(p.peer));
    }
  }
}

function replay(
  body: HTMLElement,
  plot: any,
  traces: TracedLookup[],
  pos: Map<number, Placed>,
  redraw: () => void,
  snapshotFor: (lookup: number) => number,
): void {
  const box = document.createElement("div");
  box.className = "replay";
  const options = traces.map((l, i) => [
    String(i),
    t("lookupOption", { id: l.lookup, origin: l.origin, key: l.key, t: fmt(l.startMs / 1000), outcome: t(l.outcome), n: l.messages.length }),
  ]) as [string, string][];
  box.append(
    selectBox(t("tracedLookup"), "replay-lookup", options, String(view.lookup), (v) => {
      view.lookup = Number(v);
      view.step = 0;
      view.snapshot = snapshotFor(view.lookup);
      redraw();
    }),
  );
  const lookup = traces[view.lookup]!;
  const n = lookup.messages.length;
  view.step = Math.min(view.step, n);
  const status = document.createElement("p");
  status.id = "replay-status";
  status.className = "replay-status";
  const buttons = document.createElement("div");
  buttons.className = "buttons";
  const back = button(t("stepBack"), "replay-back", () => go(view.step - 1));
  const fwd = button(t("step"), "replay-step", () => go(view.step + 1));
  const play = button(playing ? t("pause") : t("play"), "replay-play", () => {
    if (playing) return stop(), (play.textContent = t("play"));
    play.textContent = t("pause");
    if (view.step >= n) go(0);
    playing = window.setInterval(() => {
      if (view.step >= n) {
        stop();
        play.textContent = t("play");
      } else go(view.step + 1);
    }, 700);
  });
  const reset = button(t("reset"), "replay-reset", () => go(0));
  buttons.append(back, fwd, play, reset);
  box.append(buttons, status);
  body.insertBefore(box, body.querySelector("figure"));

  const layer = plot.append("g").attr("class", "replay-layer");
  const defs = select(plot.node().ownerSVGElement).append("defs");
  defs
    .append("marker")
    .attr("id", "arrow")
    .attr("viewBox", "0 0 10 10")
    .attr("refX", 9)
    .attr("refY", 5)
    .attr("markerWidth", 7)
    .attr("markerHeight", 7)
    .attr("orient", "auto-start-reverse")
    .append("path")
    .attr("d", "M0,0 L10,5 L0,10 z")
    .attr("fill", "#e6550d");

  function go(step: number) {
    view.step = Math.max(0, Math.min(n, step));
    draw();
  }

  function draw() {
    layer.selectAll("*").remove();
    const origin = pos.get(lookup.origin);
    if (origin) layer.append("circle").attr("class", "origin").attr("cx", origin.x).attr("cy", origin.y).attr("r", 11).attr("fill", "none").attr("stroke", "#e6550d").attr("stroke-width", 3);
    const shown = lookup.messages.slice(0, view.step);
    shown.forEach((m, i) => {
      const a = pos.get(m.from);
      const b = pos.get(m.to);
      if (!a || !b) return;
      const last = i === shown.length - 1;
      // Stop the arrow short of the target's circle.
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.max(1, Math.hypot(dx, dy));
      layer
        .append("line")
        .attr("class", `msg${last ? " current" : ""}`)
        .attr("x1", a.x)
        .attr("y1", a.y)
        .attr("x2", b.x - (dx / len) * 7)
        .attr("y2", b.y - (dy / len) * 7)
        .attr("stroke", last ? "#e6550d" : "#fdae6b")
        .attr("stroke-width", last ? 3 : 1.8)
        .attr("marker-end", "url(#arrow)");
      if (last) layer.append("circle").attr("class", "at").attr("cx", b.x).attr("cy", b.y).attr("r", 8).attr("fill", "#e6550d").attr("opacity", 0.6);
    });
    status.dataset.step = String(view.step);
    if (view.step === 0) status.textContent = t("replayStart", { id: lookup.lookup, origin: lookup.origin, key: lookup.key });
    else {
      const m = lookup.messages[view.step - 1]!;
      let text = t("replayMessage", { i: view.step, n, t: fmt(m.timeMs / 1000), type: m.type, from: m.from, to: m.to });
      if (!pos.has(m.from) || !pos.has(m.to)) text += t("notShown");
      if (view.step === n) text += ` ${t("replayEnd", { outcome: t(lookup.outcome), hops: lookup.hops ?? "–", n })}`;
      status.textContent = text;
    }
    back.disabled = view.step === 0;
    fwd.disabled = view.step >= n;
  }
  draw();
}

function stop() {
  if (playing !== undefined) window.clearInterval(playing);
  playing = undefined;
}

function drawTimeline(parent: HTMLElement, events: TimelineEvent[], nowS: number, pick: (snapshot: number) => void): void {
  const width = 820;
  const height = 54;
  const svg = select(parent).append("svg").attr("class", "timeline-strip").attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height);
  const times = events.map((e) => e.timeS);
  const t0 = Math.min(0, ...times);
  const t1 = Math.max(...times, t0 + 1);
  const x = (s: number) => 20 + ((s - t0) / (t1 - t0)) * (width - 40);
  svg.append("line").attr("x1", 20).attr("x2", width - 20).attr("y1", 30).attr("y2", 30).attr("stroke", "#999");
  svg.append("line").attr("class", "now").attr("x1", x(nowS)).attr("x2", x(nowS)).attr("y1", 8).attr("y2", 46).attr("stroke", "#333").attr("stroke-width", 2);
  for (const e of events) {
    if (e.kind === "snapshot") {
      const c = svg
        .append("circle")
        .attr("class", "event-snapshot")
        .attr("cx", x(e.timeS))
        .attr("cy", 30)
        .attr("r", 6)
        .attr("fill", Math.abs(e.timeS - nowS) < 1e-9 ? "#333" : "#4c72b0")
        .style("cursor", "pointer")
        .on("click", () => pick(e.snapshot!));
      c.append("title").text(`${e.label} · ${fmt(e.timeS)} s`);
    } else {
      const g = svg.append("g").attr("class", "event-annotation");
      g.append("path").attr("d", `M${x(e.timeS)},30 L${x(e.timeS)},12 L${x(e.timeS) + 9},15 L${x(e.timeS)},18`).attr("stroke", "#c0392b").attr("fill", "#c0392b");
      g.append("text").attr("x", x(e.timeS) + 11).attr("y", 14).attr("font-size", 10).attr("fill", "#c0392b").text(e.label);
      g.append("title").text(`${e.label} · ${fmt(e.timeS)} s`);
    }
  }
}

function button(text: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

function selectBox(label: string, id: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLLabelElement {
  const l = document.createElement("label");
  l.textContent = `${label}: `;
  const sel = document.createElement("select");
  sel.id = id;
  for (const [v, text] of options) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = text;
    sel.append(o);
  }
  sel.value = value;
  sel.addEventListener("change", () => onChange(sel.value));
  l.append(sel);
  return l;
}
