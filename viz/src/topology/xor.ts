import { t } from "../i18n.js";
import type { Snapshot } from "../data.js";
import type { Placed } from "./layout.js";

/**
 * Kademlia as its own metric sees it: every peer placed by the XOR distance
 * of its id from one chosen peer, so each k-bucket of that peer is one column.
 */

/** Top 32 bits of a position in [0, 1). */
export function top32(position: number): number {
  return Math.floor(position * 2 ** 32) >>> 0;
}

/** Kademlia as its own metric sees it: x is log2 of the XOR distance from `focus`, so each k-bucket is one column; peers stack up in their bucket. */
export function xorLayout(snapshot: Snapshot, focus: number, size: number): Map<number, Placed> {
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

export function xorX(d: number, size: number): number {
  // log2 distance from 2^16 (closer is rare below that) to 2^32, left to right.
  const l = Math.max(16, Math.log2(Math.max(1, d)));
  return 90 + ((l - 16) / 16) * (size - 120);
}

export function drawXorFrame(g: any, snapshot: Snapshot, focus: number, size: number): void {
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
