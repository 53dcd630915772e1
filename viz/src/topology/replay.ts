import { select } from "d3";
import { messageTypeName } from "../columns.js";
import { t } from "../i18n.js";
import { fmt } from "../metrics.js";
import type { TracedLookup } from "../data.js";
import { selectBox } from "../controls.js";
import type { Placed } from "./layout.js";
import { REPLAY, REPLAY_PAST, view } from "./state.js";
import { button } from "./timeline.js";

/** A traced lookup replayed message by message on the picture: step, step back, play. */

let playing: number | undefined;

export function replay(
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

export function stop() {
  if (playing !== undefined) window.clearInterval(playing);
  playing = undefined;
}
