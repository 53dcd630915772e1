import { hsl } from "d3";

/**
 * One colour per overlay, everywhere on the page (sidebar, time series, bars,
 * sweeps): flooding is always blue, the index brown, Chord green, Kademlia
 * purple, whatever else is loaded. Several variants of one overlay in a
 * comparison get shades of its colour, by their order in that comparison.
 */

const BASE: Record<string, string> = {
  unstructured: "#2f6db5",
  hybrid: "#b5651d",
  chord: "#2a9d55",
  kademlia: "#8e44ad",
};
const OTHER = ["#c0392b", "#16a085", "#7f8c8d", "#d4a017"];

export function overlayColor(overlay: string | null | undefined, shade = 0, fallbackIndex = 0): string {
  const base = (overlay && BASE[overlay]) || OTHER[fallbackIndex % OTHER.length]!;
  if (shade === 0) return base;
  // Alternate darker and lighter steps, so neighbours in a legend differ clearly.
  const c = hsl(base);
  const step = Math.ceil(shade / 2) * 0.17 * (shade % 2 === 1 ? 1 : -1);
  c.l = Math.max(0.18, Math.min(0.78, c.l + step));
  return c.formatHex();
}
