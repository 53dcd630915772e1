import type { OverlayDefinition } from "./protocol.js";
import { unstructured } from "./unstructured/index.js";

/** Every overlay peerlab knows, by the name scenarios use in `overlay.type`. Adding one is one line here. */
export const OVERLAYS = [unstructured] as const satisfies readonly OverlayDefinition[];

export function findOverlay(name: string): OverlayDefinition | undefined {
  return OVERLAYS.find((o) => o.name === name);
}
