import { select } from "d3";
import { emptyNote, fitText, makeFrame, TEXT_PX, textWidth } from "../charts/frame.js";
import { faultLabel, linkKindName, messageTypeName, overlayName } from "../columns.js";
import { loadSnapshots, loadTraces, type Run, type Snapshot, type TracedLookup } from "../data.js";
import { t } from "../i18n.js";
import { fmt } from "../metrics.js";
import { layout, layoutKind, type Placed } from "./layout.js";
import { selectBox } from "../controls.js";

/**
 * The classroom view: the overlay of one run at the moments its scenario
 * asked for (metrics.snapshots), a timeline of those moments and of fault
 * events to step through, and traced lookups (metrics.traceLookups) replayed
 * message by message on the picture.
 */

const SIZE = 640;
/** The square the overlay is drawn in, below the title and inside the frame. */
const AREA = SIZE - 64;
/** Link colours: blues, greys and greens, so the replay's crimson arrows stand out on top of them. */
const KIND_COLORS: Record<string, string> = {
  successor: "#1f5fa8",
  "successor-list": "#9ecae1",
  predecessor: "#6a51a3",
  finger: "#5aa9a0",
  bucket: "#74a66b",
  neighbour: "#8c8c8c",
  index: "#a08060",
  "super-peer": "#3b7d3b",
  leaf: "#b7b7b7",
};
/** The replay: crimson, used by no link kind. */
const REPLAY = "#d6004c";
const REPLAY_PAST = "#f08aa9";
/** Link kinds drawn unless the user ticks them: too many lines otherwise. */
const HIDDEN_BY_DEFAULT = new Set(["successor-list", "predecessor"]);
/** Link kinds drawn for one chosen peer only (everyone's at once is a tangle). */
const PER_PEER = new Set(["finger", "bucket"]);

interface ViewState {
  runId?: string;
  snapshot: number;
  lookup: number;
  step: number;
  hiddenKinds: Set<string>;
  /** The run whose defaults `hiddenKinds` holds. */
  kindsFor?: string;
  /** Whose fingers (or k-bucket contacts) are drawn: a peer, or -1 for the traced lookup's origin. */
  fingersOf: number;
  /** Kademlia: the id line, or every peer by XOR distance from one peer. */
  kadMode: "line" | "xor";
}

const view: ViewState = { snapshot: 0, lookup: 0, step: 0, hiddenKinds: new Set(HIDDEN_BY_DEFAULT), fingersOf: -1, kadMode: "xor" };
let playing: number | undefined;

interface TimelineEvent {
  timeS: number;
  kind: "snapshot" | "annotation";
  label: string;
  snapshot?: number;
}

export async function topologySection(parent: HTMLElement, runs: readonly Run[], labelOf: (r: Run) => string, prefer?: string): Promise<void> {
  const s = document.createElement("section");
  s.className = "block";
  s.id = "topology";
  const h = document.createElement("h2");
  h.textContent = t("topology");
  s.append(h);
  parent.append(s);
  const candidates = runs.filter((r) => r.entry.files.includes("snapshots.json"));
  if (candidates.length === 0) return emptyNote(s, t("noTopology"));
  // The run a lesson points at (its variant name), else the first.
  const preferred = candidates.find((r) => prefer !== undefined && r.entry.variant === prefer) ?? candidates[0]!;
  if (!candidates.some((r) => r.entry.id === view.runId)) view.runId = preferred.entry.id;
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
        view.fingersOf = -1;
        redraw();
      }),
    );
  }
  const body = document.createElement("div");
  body.className = "topology-body";
  s.append(body);

  const events: TimelineEvent[] = [
    ...snapshots.map((sn, i) => ({ timeS: sn.timeMs / 1000, kind: "snapshot" as const, label: `${t("eventSnapshot")} ${i + 1}`, snapshot: i })),
    ...run.annotations.map((a) => ({ timeS: a.time_s, kind: "annotation" as const, label: faultLabel(String(a.kind ?? ""), String(a.label ?? a.kind)) })),
  ].sort((a, b) => a.timeS - b.timeS || (a.kind === "snapshot" ? -1 : 1));
  const overlayType = String(run.manifest?.scenario?.overlay?.type ?? "");

  function redraw() {
    stop();
    // Re-render only this section in place.
    const fresh = document.createElement("div");
    void topologySection(fresh, runs, labelOf, prefer).then(() => {
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
  const sampledNote = current.sampled ? document.createElement("p") : null;
  if (sampledNote) {
    sampledNote.className = "sampled-note";
    sampledNote.textContent = t(current.sampled === "id-range" ? "sampledIdRange" : "sampledNeighbourhood", { shown: current.peers.length, online: current.peersOnline });
  }
  const prev = button(t("prev"), "timeline-prev", () => stepTimeline(-1));
  const next = button(t("next"), "timeline-next", () => stepTimeline(1));
  const label = document.createElement("label");
  label.textContent = `${t("timeline")}: `;
  label.append(scrub);
  timeline.append(label, prev, next, where);
  body.append(timeline);
  if (sampledNote) body.append(sampledNote);
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
  const lookup = traces.length > 0 ? traces[Math.min(view.lookup, traces.length - 1)]! : undefined;
  const kind = layoutKind(overlayType, current);
  const kinds = [...new Set(current.peers.flatMap((p) => p.linkKinds ?? []))];
  const perPeerKinds = kinds.filter((k) => PER_PEER.has(k));
  const focusPeer = view.fingersOf >= 0 && current.peers.some((p) => p.peer === view.fingersOf) ? view.fingersOf : view.fingersOf === -2 ? -1 : (lookup?.origin ?? -1);
  const xorView = overlayType === "kademlia" && view.kadMode === "xor" && focusPeer >= 0 && current.peers.every((p) => typeof p.position === "number");
  const legendLabels = [t("legendLinks"), ...kinds.map(linkKindName), t("replayLegend")];
  const legendWidth = Math.max(...legendLabels.map((l) => textWidth(l, TEXT_PX))) + 40;
  const title = xorView
    ? t("kadXorTitle", { peer: focusPeer })
    : `${overlayName(overlayType) || "overlay"} · ${labelOf(run)} · ${fmt(current.timeMs / 1000)} ${t("uS")}`;
  const frame = makeFrame(body, `topology-${overlayType || "overlay"}`, title, { height: SIZE, width: SIZE + legendWidth, legend: false });
  frame.plot.attr("transform", "translate(10,44)");
  const pos = xorView ? xorLayout(current, focusPeer, AREA) : layout(kind, current, AREA);
  if (xorView) drawXorFrame(frame.plot, current, focusPeer, AREA);
  drawGraph(frame.plot, current, pos, xorView ? "xor" : kind, focusPeer);
  if (!xorView && lookup) markKey(frame.plot, current, lookup.key, kind);
  const legend = frame.svg.append("g").attr("class", "legend").attr("transform", `translate(${SIZE + 8},76)`);
  legend.append("text").attr("y", -18).attr("font-weight", 600).text(t("legendLinks"));
  kinds.forEach((k, i) => {
    const item = legend.append("g").attr("class", "legend-item").attr("transform", `translate(0,${i * 24})`);
    item.append("line").attr("x2", 18).attr("stroke", KIND_COLORS[k] ?? "#999").attr("stroke-width", 3).attr("opacity", view.hiddenKinds.has(k) ? 0.25 : 1);
    item.append("text").attr("x", 24).attr("dy", "0.35em").text(fitText(linkKindName(k), legendWidth - 30, TEXT_PX));
  });
  if (traces.length > 0) {
    const item = legend.append("g").attr("class", "legend-item").attr("transform", `translate(0,${kinds.length * 24 + 10})`);
    item.append("line").attr("x2", 18).attr("stroke", REPLAY).attr("stroke-width", 3);
    item.append("text").attr("x", 24).attr("dy", "0.35em").text(fitText(t("replayLegend"), legendWidth - 30, TEXT_PX));
  }
  // Toggles for link kinds, whose fingers, and the Kademlia view.
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
    l.append(box, ` ${linkKindName(k)}`);
    toggles.append(l);
  }
  if (perPeerKinds.length > 0) {
    const peers = [...current.peers].sort((a, b) => a.peer - b.peer);
    toggles.append(
      selectBox(t("fingersOf"), "fingers-of", [["-2", t("fingersNone")], ...peers.map((p): [string, string] => [String(p.peer), String(p.peer)])], String(focusPeer >= 0 ? focusPeer : -2), (v) => {
        view.fingersOf = Number(v);
        redraw();
      }),
    );
  }
  if (overlayType === "kademlia") {
    toggles.append(
      selectBox(t("kadView"), "kad-view", [["xor", t("kadXor")], ["line", t("kadLine")]], view.kadMode, (v) => {
        view.kadMode = v === "line" ? "line" : "xor";
        redraw();
      }),
    );
  }
  body.insertBefore(toggles, frame.figure);

  // Replay of traced lookups.
  if (traces.length > 0)
    replay(body, frame.plot, traces, pos, redraw, (i) => {
      // Show the lookup on the snapshot nearest the moment it started.
      const start = traces[i]!.startMs;
      let best = 0;
      snapshots.forEach((sn, j) => {
        if (Math.abs(sn.timeMs - start) < Math.abs(snapshots[best]!.timeMs - start)) best = j;
      });
      return best;
    }, new Set(current.peers.filter((p) => p.role === "offline").map((p) => p.peer)));
}

/** A diamond where the lookup's key sits on the ring or the id line (DHTs), labelled. */
function markKey(g: any, snapshot: Snapshot, key: number, kind: string): void {
  const at = snapshot.keys?.find((k) => k.key === key);
  if (!at || (kind !== "ring" && kind !== "line")) return;
  const size = AREA;
  const c = size / 2;
  let x: number;
  let y: number;
  let lx: number;
  let ly: number;
  if (kind === "ring") {
    const a = 2 * Math.PI * at.position - Math.PI / 2;
    const r = c - 40;
    x = c + r * Math.cos(a);
    y = c + r * Math.sin(a);
    // Inside the ring: the peers' labels are outside.
    lx = c + (r - 34) * Math.cos(a);
    ly = c + (r - 34) * Math.sin(a);
  } else {
    x = 30 + (size - 60) * at.position;
    y = size * 0.75;
    lx = x;
    ly = y + 30;
  }
  const m = g.append("g").attr("class", "key-mark").attr("data-key", key);
  m.append("path").attr("d", `M${x},${y - 9} L${x + 9},${y} L${x},${y + 9} L${x - 9},${y} Z`).attr("fill", "#ffd400").attr("stroke", "#222").attr("stroke-width", 1.5);
  m.append("text")
    .attr("x", lx)
    .attr("y", ly)
    .attr("text-anchor", "middle")
    .attr("dy", "0.35em")
    .attr("font-weight", 600)
    .attr("paint-order", "stroke")
    .attr("stroke", "#fff")
    .attr("stroke-width", 4)
    .text(t("keyMark", { key }));
}

/** Top 32 bits of a position in [0, 1). */
function top32(position: number): number {
  return Math.floor(position * 2 ** 32) >>> 0;
}

/** Kademlia as its own metric sees it: x is log2 of the XOR distance from `focus`, so each k-bucket is one column; peers stack up in their bucket. */
function xorLayout(snapshot: Snapshot, focus: number, size: number): Map<number, Placed> {
  const me = snapshot.peers.find((p) => p.peer === focus)!;
  const mine = top32(me.position!);
  const out = new Map<number, Placed>();
  const perBucket = new Map<number, number>();
  const sorted = [...snapshot.peers].sort((a, b) => ((top32(a.position!) ^ mine) >>> 0) - ((top32(b.position!) ^ mine) >>> 0) || a.peer - b.peer);
  for (const p of sorted) {
    if (p.peer === focus) {
      out.set(p.peer, { x: 40, y: size - 40 });
      continue;
    }
    const d = (top32(p.position!) ^ mine) >>> 0;
    const bucket = d === 0 ? 31 : 31 - Math.floor(Math.log2(d));
    const row = perBucket.get(bucket) ?? 0;
    perBucket.set(bucket, row + 1);
    const xPos = xorX(d, size);
    out.set(p.peer, { x: xPos, y: size - 70 - (row % 28) * 18 - Math.floor(row / 28) * 6 });
  }
  return out;
}

function xorX(d: number, size: number): number {
  // log2 distance from 2^16 (closer is rare below that) to 2^32, left to right.
  const l = Math.max(16, Math.log2(Math.max(1, d)));
  return 90 + ((l - 16) / 16) * (size - 120);
}

function drawXorFrame(g: any, snapshot: Snapshot, focus: number, size: number): void {
  const frame = g.append("g").attr("class", "xor-frame");
  for (let e = 16; e < 32; e++) {
    const x0 = xorX(2 ** e, size);
    const x1 = xorX(2 ** (e + 1), size);
    if (e % 2 === 0) frame.append("rect").attr("x", x0).attr("y", 20).attr("width", x1 - x0).attr("height", size - 60).attr("fill", "#f3f5f8");
    const bucket = 31 - e;
    if ((bucket <= 5 || bucket % 4 === 0) && bucket < 31) frame.append("text").attr("x", (x0 + x1) / 2).attr("y", size - 14).attr("text-anchor", "middle").text(bucket === 0 ? t("kadBucket", { b: 0 }) : String(bucket));
  }
  frame.append("text").attr("x", xorX(2 ** 24, size)).attr("y", 14).attr("text-anchor", "middle").text(t("kadXAxis", { peer: focus }));
  frame.append("text").attr("x", 22).attr("y", size - 66).attr("text-anchor", "start").attr("font-weight", 600).text(`${t("kadFocus")} ${focus}`);
  void snapshot;
}

function drawGraph(g: any, snapshot: Snapshot, pos: Map<number, Placed>, kind: string, focusPeer: number): void {
  const links = g.append("g").attr("class", "links");
  const byKind = new Map<string, string[]>();
  for (const p of snapshot.peers) {
    const a = pos.get(p.peer);
    if (!a) continue;
    p.links.forEach((to, i) => {
      const k = p.linkKinds?.[i] ?? "link";
      if (view.hiddenKinds.has(k)) return;
      if (PER_PEER.has(k) && p.peer !== focusPeer) return;
      const b = pos.get(to);
      if (!b) return;
      let d: string;
      if (kind === "xor") {
        d = `M${a.x},${a.y} Q${(a.x + b.x) / 2},${Math.min(a.y, b.y) - 60} ${b.x},${b.y}`;
      } else if (kind === "line") {
        // Arc above the line, so links between close identifiers stay short.
        const r = Math.abs(b.x - a.x) / 2;
        d = `M${a.x},${a.y} A${r},${r} 0 0,${a.x < b.x ? 1 : 0} ${b.x},${b.y}`;
      } else if (kind === "ring" && k !== "successor") {
        // Chords bend towards the centre, as in Chord's own pictures.
        const c = (AREA) / 2;
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
      .attr("stroke-opacity", k === "neighbour" || k === "index" ? 0.45 : 0.85)
      .attr("stroke-width", k === "successor" ? 2 : PER_PEER.has(k) ? 1.6 : 1)
      .attr("d", ds.join(" "));
  }
  const n = snapshot.peers.length;
  const r = n > 300 ? 2.5 : n > 100 ? 3.5 : 5;
  const nodes = g.append("g").attr("class", "nodes");
  // Peers close together on a ring would print their labels over each other: each label takes the first of a few distances out that is free, or none.
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const free = (b: { x0: number; x1: number; y0: number; y1: number }) => placed.every((o) => b.x1 < o.x0 || b.x0 > o.x1 || b.y1 < o.y0 || b.y0 > o.y1);
  // The plot sits at (10, 44) in a SIZE × SIZE frame with the legend to the right: a label further out would be cut off.
  const insidePlot = (b: { x0: number; x1: number; y0: number; y1: number }) => b.x0 >= -8 && b.x1 <= SIZE - 12 && b.y0 >= -40 && b.y1 <= SIZE - 46;
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
      .attr("fill", p.role === "index" ? "#8c564b" : p.role === "super-peer" ? "#3b7d3b" : p.role === "offline" ? "#fff" : "#4c72b0")
      .attr("stroke", p.role === "offline" ? "#888" : "#fff")
      .attr("stroke-dasharray", p.role === "offline" ? "2 2" : null)
      .attr("stroke-width", p.role === "offline" ? 1.5 : 1);
    c.append("title").text(`peer ${p.peer}${p.role ? ` (${p.role})` : ""}${p.position !== undefined ? ` · id ${fmt(p.position)}` : ""} · ${p.links.length} links · ${p.keys.length} keys`);
    if ((n <= 40 && kind !== "xor") || p.role === "index") {
      // On a ring, labels sit outside the circle, away from the links.
      const c0 = (AREA) / 2;
      const dx = at.x - c0;
      const dy = at.y - c0;
      const len = Math.max(1, Math.hypot(dx, dy));
      if (p.role !== "index" && (kind === "ring" || kind === "star")) {
        const label = String(p.peer);
        const w = textWidth(label, TEXT_PX);
        // Outside the ring first; a label that fits nowhere outside (at the frame's edge) goes just inside.
        for (const out of [16, 34, 52, -14]) {
          const lx = at.x + (dx / len) * out;
          const ly = at.y + (dy / len) * out;
          const anchor = Math.abs(dx) < 8 ? "middle" : dx > 0 === out > 0 ? "start" : "end";
          const x0 = anchor === "start" ? lx : anchor === "end" ? lx - w : lx - w / 2;
          const box = { x0: x0 - 1, x1: x0 + w + 1, y0: ly - 9, y1: ly + 9 };
          if (!free(box) || !insidePlot(box)) continue;
          placed.push(box);
          nodes.append("text").attr("class", "node-label").attr("x", lx).attr("y", ly).attr("text-anchor", anchor).attr("dy", "0.35em").text(label);
          break;
        }
        continue;
      }
      const out = 0;
      if (p.role === "index") {
        nodes.append("text").attr("class", "node-label").attr("x", at.x).attr("y", at.y - big - 12).attr("text-anchor", "middle").attr("font-weight", 600).attr("paint-order", "stroke").attr("stroke", "#fff").attr("stroke-width", 4).text(`index ${p.peer}`);
        continue;
      }
      nodes
        .append("text")
        .attr("class", "node-label")
        .attr("x", kind === "ring" || kind === "star" ? at.x + (dx / len) * out : at.x + big + 3)
        .attr("y", kind === "ring" || kind === "star" ? at.y + (dy / len) * out : at.y - big - 2)
        .attr("text-anchor", kind === "ring" || kind === "star" ? (Math.abs(dx) < 8 ? "middle" : dx > 0 ? "start" : "end") : "start")
        .attr("dy", "0.35em")
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
  offline: ReadonlySet<number>,
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
    .attr("fill", REPLAY);

  function go(step: number) {
    view.step = Math.max(0, Math.min(n, step));
    draw();
  }

  function draw() {
    layer.selectAll("*").remove();
    const origin = pos.get(lookup.origin);
    if (origin) layer.append("circle").attr("class", "origin").attr("cx", origin.x).attr("cy", origin.y).attr("r", 12).attr("fill", "none").attr("stroke", REPLAY).attr("stroke-width", 3.5);
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
        .attr("stroke", last ? REPLAY : REPLAY_PAST)
        .attr("stroke-width", last ? 3.5 : 2.2)
        .attr("marker-end", "url(#arrow)");
      if (last) layer.append("circle").attr("class", "at").attr("cx", b.x).attr("cy", b.y).attr("r", 9).attr("fill", REPLAY).attr("opacity", 0.55);
    });
    status.dataset.step = String(view.step);
    if (view.step === 0) status.textContent = t("replayStart", { id: lookup.lookup, origin: lookup.origin, key: lookup.key });
    else {
      const m = lookup.messages[view.step - 1]!;
      let text = t("replayMessage", { i: view.step, n, t: fmt(m.timeMs / 1000), type: messageTypeName(m.type), from: m.from, to: m.to });
      if (!pos.has(m.from) || !pos.has(m.to)) text += t("notShown");
      else if (offline.has(m.to)) text += t("toOffline", { to: m.to });
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
  const width = 900;
  const annotations = events.filter((e) => e.kind === "annotation");
  const times = events.map((e) => e.timeS);
  const t0 = Math.min(0, ...times);
  const t1 = Math.max(...times, t0 + 1);
  const x = (s: number) => 20 + ((s - t0) / (t1 - t0)) * (width - 40);
  // Fault labels in rows above the axis, each in the first row where it touches no earlier one.
  const rowEnds: number[] = [];
  const placed = annotations.map((e) => {
    const text = fitText(e.label, 240, TEXT_PX);
    const left = x(e.timeS) + 11;
    let row = rowEnds.findIndex((end) => end < left);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + textWidth(text, TEXT_PX) + 10;
    return { e, text, row };
  });
  const rows = Math.max(1, rowEnds.length);
  const axisY = 14 + rows * 20;
  const height = axisY + 22;
  const svg = select(parent).append("svg").attr("class", "timeline-strip").attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height);
  svg.append("line").attr("x1", 20).attr("x2", width - 20).attr("y1", axisY).attr("y2", axisY).attr("stroke", "#999");
  svg.append("line").attr("class", "now").attr("x1", x(nowS)).attr("x2", x(nowS)).attr("y1", axisY - 14).attr("y2", axisY + 14).attr("stroke", "#333").attr("stroke-width", 2);
  for (const { e, text, row } of placed) {
    const g = svg.append("g").attr("class", "event-annotation");
    const top = 8 + row * 20;
    g.append("path").attr("d", `M${x(e.timeS)},${axisY} L${x(e.timeS)},${top} L${x(e.timeS) + 9},${top + 3} L${x(e.timeS)},${top + 6}`).attr("stroke", "#c0392b").attr("fill", "#c0392b");
    g.append("text").attr("x", x(e.timeS) + 11).attr("y", top + 6).attr("font-size", TEXT_PX).attr("fill", "#a93226").text(text);
    g.append("title").text(`${e.label} · ${fmt(e.timeS)} s`);
  }
  for (const e of events) {
    if (e.kind !== "snapshot") continue;
    const c = svg
      .append("circle")
      .attr("class", "event-snapshot")
      .attr("cx", x(e.timeS))
      .attr("cy", axisY)
      .attr("r", 7)
      .attr("fill", Math.abs(e.timeS - nowS) < 1e-9 ? "#333" : "#4c72b0")
      .style("cursor", "pointer")
      .on("click", () => pick(e.snapshot!));
    c.append("title").text(`${e.label} · ${fmt(e.timeS)} s`);
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

