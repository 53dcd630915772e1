import type { OverlayDefinition } from "../core/protocol.js";
import { chord } from "./chord/index.js";
import { bittorrent } from "./bittorrent/index.js";
import { blockchain } from "./blockchain/index.js";
import { gossip } from "./gossip/index.js";
import { hybrid } from "./hybrid/index.js";
import { ipfs } from "./ipfs/index.js";
import { kademlia } from "./kademlia/index.js";
import { unstructured } from "./unstructured/index.js";

/** Every overlay built into peerlab, by the name scenarios use in `overlay.type`. Adding one is one line here. */
export const OVERLAYS = [unstructured, hybrid, chord, kademlia, bittorrent, gossip, blockchain, ipfs] as const satisfies readonly OverlayDefinition[];

/**
 * Overlays loaded from a scenario's `overlay.module` (sim/overlays/plugins.ts),
 * by name, with the file each came from. A plug-in is registered once per
 * process and then validated, listed and run exactly like a built-in one.
 */
const plugins = new Map<string, { definition: OverlayDefinition; file: string }>();
let generation = 0;

export function findOverlay(name: string): OverlayDefinition | undefined {
  return OVERLAYS.find((o) => o.name === name) ?? plugins.get(name)?.definition;
}

/** Built-in overlays, then plug-ins in the order they were registered. */
export function overlayDefinitions(): readonly OverlayDefinition[] {
  return [...OVERLAYS, ...[...plugins.values()].map((p) => p.definition)];
}

/** Bumped by every registration, so schemas built from the registry know when to rebuild. */
export function registryGeneration(): number {
  return generation;
}

/** Where a registered plug-in came from, or undefined for built-ins and unknown names. */
export function pluginFile(name: string): string | undefined {
  return plugins.get(name)?.file;
}

/**
 * Registers a plug-in overlay. The same file registering again is a no-op;
 * a name that a built-in or another file already uses is refused (the
 * message says which).
 */
export function registerPlugin(definition: OverlayDefinition, file: string): void {
  if (OVERLAYS.some((o) => o.name === definition.name)) {
    throw new Error(`the name "${definition.name}" belongs to a built-in overlay; give the plug-in another name`);
  }
  const known = plugins.get(definition.name);
  if (known) {
    if (known.file === file) return;
    throw new Error(`the name "${definition.name}" is already taken by the plug-in ${known.file}`);
  }
  plugins.set(definition.name, { definition, file });
  generation++;
}
