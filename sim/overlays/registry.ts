import type { OverlayDefinition } from "../core/protocol.js";
import { chord } from "./chord/index.js";
import { hybrid } from "./hybrid/index.js";
import { kademlia } from "./kademlia/index.js";
import { unstructured } from "./unstructured/index.js";

/** Every overlay peerlab knows, by the name scenarios use in `overlay.type`. Adding one is one line here. */
export const OVERLAYS = [unstructured, hybrid, chord, kademlia] as const satisfies readonly OverlayDefinition[];

export function findOverlay(name: string): OverlayDefinition | undefined {
  return OVERLAYS.find((o) => o.name === name);
}
