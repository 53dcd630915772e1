import { select } from "d3";
import { fitText, TEXT_PX, textWidth } from "../charts/frame.js";
import { fmt } from "../metrics.js";

/** The strip under the picture: the run's snapshots (click to show one) and its fault events. */

export interface TimelineEvent {
  timeS: number;
  kind: "snapshot" | "annotation";
  label: string;
  snapshot?: number;
}

export function drawTimeline(parent: HTMLElement, events: TimelineEvent[], nowS: number, pick: (snapshot: number) => void): void {
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

export function button(text: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}
