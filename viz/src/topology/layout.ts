import { forceCenter, forceLink, forceManyBody, forceSimulation, type SimulationNodeDatum } from "d3";
import type { Snapshot } from "../data.js";

/**
 * Where each peer of a snapshot goes, by overlay: Chord on a ring by
 * identifier, Kademlia along a line by identifier, the hybrid overlay's index
 * (or super-peers) in the middle with the peers around, an unstructured
 * overlay by a force layout (d3-force is deterministic: no random start).
 */

export type LayoutKind = "ring" | "line" | "star" | "force";

export interface Placed {
  x: number;
  y: number;
}

export function layoutKind(overlayType: string, snapshot: Snapshot): LayoutKind {
  if (overlayType === "chord") return "ring";
  if (overlayType === "kademlia") return "line";
  if (overlayType === "hybrid") return "star";
  if (snapshot.peers.length > 0 && snapshot.peers.every((p) => typeof p.position === "number")) return "ring";
  return "force";
}

export function layout(kind: LayoutKind, snapshot: Snapshot, size: number): Map<number, Placed> {
  const c = size / 2;
  const out = new Map<number, Placed>();
  const peers = snapshot.peers;
  if (kind === "ring") {
    const r = c - 40;
    for (const p of peers) {
      const a = 2 * Math.PI * (p.position ?? 0) - Math.PI / 2;
      out.set(p.peer, { x: c + r * Math.cos(a), y: c + r * Math.sin(a) });
    }
  } else if (kind === "line") {
    const y = size * 0.75;
    for (const p of peers) out.set(p.peer, { x: 30 + (size - 60) * (p.position ?? 0), y });
  } else if (kind === "star") {
    const centre = peers.filter((p) => p.role === "index");
    const inner = peers.filter((p) => p.role === "super-peer");
    const outer = peers.filter((p) => p.role !== "index" && p.role !== "super-peer");
    centre.forEach((p, i) => out.set(p.peer, { x: c + (i - (centre.length - 1) / 2) * 40, y: c }));
    circle(inner, centre.length > 0 ? c * 0.3 : c * 0.35);
    circle(outer, c - 40);
  } else {
    type Node = SimulationNodeDatum & { id: number };
    const nodes: Node[] = peers.map((p) => ({ id: p.peer }));
    const ids = new Set(nodes.map((n) => n.id));
    const links = peers.flatMap((p) => p.links.filter((l) => ids.has(l) && l > p.peer).map((l) => ({ source: p.peer, target: l })));
    const sim = forceSimulation(nodes)
      .force("charge", forceManyBody().strength(-30))
      .force("link", forceLink<Node, { source: number; target: number }>(links).id((d) => d.id).distance(30).strength(0.3))
      .force("center", forceCenter(c, c))
      .stop();
    sim.tick(300);
    // Fit into the square.
    const xs = nodes.map((n) => n.x ?? 0);
    const ys = nodes.map((n) => n.y ?? 0);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.min((size - 60) / Math.max(1, x1 - x0), (size - 60) / Math.max(1, y1 - y0));
    for (const n of nodes) out.set(n.id, { x: 30 + ((n.x ?? 0) - x0) * k, y: 30 + ((n.y ?? 0) - y0) * k });
  }
  return out;

  function circle(list: typeof peers, r: number) {
    list.forEach((p, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, list.length) - Math.PI / 2;
      out.set(p.peer, { x: c + r * Math.cos(a), y: c + r * Math.sin(a) });
    });
  }
}
