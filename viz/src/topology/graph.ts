import { textWidth, TEXT_PX } from "../charts/frame.js";
import { t } from "../i18n.js";
import { fmt } from "../metrics.js";
import type { Snapshot } from "../data.js";
import type { Placed } from "./layout.js";
import { AREA, KIND_COLORS, PER_PEER, SIZE, view } from "./state.js";

/** The overlay's links and peers on the picture, and where a lookup's key sits. */

/** A diamond where the lookup's key sits on the ring or the id line (DHTs), labelled. */
export function markKey(g: any, snapshot: Snapshot, key: number, kind: string): void {
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

export function drawGraph(g: any, snapshot: Snapshot, pos: Map<number, Placed>, kind: string, focusPeer: number): void {
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
