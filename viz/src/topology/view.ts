import { emptyNote, fitText, makeFrame, TEXT_PX, textWidth } from "../charts/frame.js";
import { faultLabel, linkKindName, overlayName } from "../columns.js";
import { loadSnapshots, loadTraces, type Run } from "../data.js";
import { t } from "../i18n.js";
import { fmt } from "../metrics.js";
import { layout, layoutKind } from "./layout.js";
import { selectBox } from "../controls.js";
import { drawGraph, markKey } from "./graph.js";
import { replay, stop } from "./replay.js";
import { AREA, HIDDEN_BY_DEFAULT, KIND_COLORS, PER_PEER, REPLAY, SIZE, view } from "./state.js";
import { button, drawTimeline, type TimelineEvent } from "./timeline.js";
import { drawXorFrame, xorLayout } from "./xor.js";

/**
 * The classroom view: the overlay of one run at the moments its scenario
 * asked for (metrics.snapshots), a timeline of those moments and of fault
 * events to step through, and traced lookups (metrics.traceLookups) replayed
 * message by message on the picture.
 */

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
