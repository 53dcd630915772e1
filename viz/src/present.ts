import { t } from "./i18n.js";

/**
 * Presentation mode: one chart fills the screen; arrow keys, Space or Page
 * Up/Down step through every chart on the page, Esc leaves. The chart is a
 * copy of the SVG scaled up (it carries its own style), so what is projected
 * is exactly what the page shows, only larger.
 */

let at = 0;
let layer: HTMLElement | null = null;

function figures(): SVGSVGElement[] {
  return [...document.querySelectorAll<SVGSVGElement>("#main figure.chart > svg")];
}

function show(): void {
  const all = figures();
  if (!layer || all.length === 0) return;
  at = (at + all.length) % all.length;
  const copy = all[at]!.cloneNode(true) as SVGSVGElement;
  copy.removeAttribute("width");
  copy.removeAttribute("height");
  copy.setAttribute("class", "presented");
  const stage = layer.querySelector(".stage")!;
  stage.replaceChildren(copy);
  layer.querySelector(".present-count")!.textContent = t("presentCount", { i: at + 1, n: all.length });
}

function onKey(event: KeyboardEvent): void {
  if (!layer) return;
  if (event.key === "Escape") return leave();
  if (event.key === "ArrowRight" || event.key === " " || event.key === "PageDown") at++;
  else if (event.key === "ArrowLeft" || event.key === "PageUp") at--;
  else return;
  event.preventDefault();
  show();
}

export function enterPresentation(start = 0): void {
  if (layer) return;
  layer = document.createElement("div");
  layer.id = "presentation";
  layer.setAttribute("role", "dialog");
  const bar = document.createElement("div");
  bar.className = "present-bar";
  const count = document.createElement("span");
  count.className = "present-count";
  const hint = document.createElement("span");
  hint.className = "present-hint";
  hint.textContent = t("presentHint");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "present-close";
  close.textContent = "✕";
  close.addEventListener("click", leave);
  bar.append(count, hint, close);
  const stage = document.createElement("div");
  stage.className = "stage";
  layer.append(stage, bar);
  document.body.append(layer);
  document.addEventListener("keydown", onKey);
  at = start;
  show();
}

export function leave(): void {
  layer?.remove();
  layer = null;
  document.removeEventListener("keydown", onKey);
}
