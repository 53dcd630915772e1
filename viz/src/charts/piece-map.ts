import { axisBottom, axisLeft, interpolateViridis, scaleBand, scaleSequential } from "d3";
import { loadOverlayResults, type RunEntry } from "../data.js";
import { t } from "../i18n.js";
import { makeFrame, TEXT_PX } from "./frame.js";

/**
 * The BitTorrent piece map: one row per mapped peer, one column per piece,
 * each cell coloured by when the peer verified the piece (seconds after it
 * started). Rarest first shows as colours scattered across each row from
 * the start; random picking leaves columns that stay grey when a seed leaves.
 * Reads overlay.json `pieceMap` (docs/bittorrent.md); runs without one add
 * nothing.
 */
interface PieceMapRow {
  peer: number;
  startMs: number;
  pieceTimesMs: number[];
}

export async function pieceMapSection(parent: HTMLElement, entries: readonly RunEntry[], label: (entry: RunEntry) => string): Promise<void> {
  const maps: { entry: RunEntry; rows: PieceMapRow[] }[] = [];
  for (const entry of entries.slice(0, 4)) {
    const results = await loadOverlayResults(entry);
    const rows = results?.pieceMap as PieceMapRow[] | undefined;
    if (rows && rows.length > 0) maps.push({ entry, rows });
  }
  if (maps.length === 0) return;
  const block = document.createElement("section");
  block.className = "block";
  block.id = "piece-map";
  const heading = document.createElement("h2");
  heading.textContent = t("pieceMap");
  const grid = document.createElement("div");
  grid.className = "charts";
  block.append(heading, grid);
  parent.append(block);
  for (const { entry, rows } of maps) drawPieceMap(grid, label(entry), rows);
}

function drawPieceMap(parent: HTMLElement, runLabel: string, rows: readonly PieceMapRow[]): void {
  const pieces = rows[0]!.pieceTimesMs.length;
  const cellHeight = Math.max(3, Math.min(12, Math.floor(360 / rows.length)));
  const frame = makeFrame(parent, "piece-map", t("pieceMapTitle", { run: runLabel }), {
    height: rows.length * cellHeight + 110,
    margin: { left: 64, bottom: 70 },
  });
  const latest = Math.max(1, ...rows.flatMap((r) => r.pieceTimesMs.filter((ms) => ms >= 0).map((ms) => (ms - r.startMs) / 1000)));
  const color = scaleSequential(interpolateViridis).domain([0, latest]);
  const x = scaleBand<number>().domain(Array.from({ length: pieces }, (_, i) => i)).range([0, frame.width]);
  const y = scaleBand<number>().domain(rows.map((r) => r.peer)).range([0, rows.length * cellHeight]);
  const cells = frame.plot.append("g");
  for (const row of rows) {
    row.pieceTimesMs.forEach((ms, piece) => {
      cells
        .append("rect")
        .attr("x", x(piece)!)
        .attr("y", y(row.peer)!)
        .attr("width", Math.max(1, x.bandwidth()))
        .attr("height", cellHeight)
        .attr("fill", ms < 0 ? "#ddd" : color((ms - row.startMs) / 1000));
    });
  }
  const every = Math.max(1, Math.ceil(pieces / 10));
  frame.plot
    .append("g")
    .attr("transform", `translate(0,${rows.length * cellHeight})`)
    .call(axisBottom(x).tickValues(x.domain().filter((p) => p % every === 0)));
  const rowEvery = Math.max(1, Math.ceil(rows.length / 12));
  frame.plot.append("g").call(axisLeft(y).tickValues(rows.filter((_, i) => i % rowEvery === 0).map((r) => r.peer)));
  frame.plot
    .append("text")
    .attr("x", frame.width / 2)
    .attr("y", rows.length * cellHeight + 36)
    .attr("text-anchor", "middle")
    .attr("font-size", TEXT_PX)
    .text(`${t("pieceMapPieces")} — ${t("pieceMapLegend")}`);
  frame.plot
    .append("text")
    .attr("transform", `translate(${-48},${(rows.length * cellHeight) / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .attr("font-size", TEXT_PX)
    .text(t("pieceMapPeers"));
}
