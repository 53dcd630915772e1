import { blockSpreadSection } from "./block-spread.js";
import { blockchainSection } from "./blocks.js";
import { pieceMapSection } from "./charts/piece-map.js";
import type { Run } from "./data.js";
import { ipfsSection } from "./ipfs-panel.js";

/** How the page names and colours a run, for panels that draw several. */
export interface RunLook {
  label(run: Run): string;
  color(run: Run): string;
}

/**
 * A section of the page that belongs to one kind of overlay: it reads the
 * runs' overlay.json (docs/results.md) and draws nothing for runs without
 * what it needs, so the page calls every panel for every selection.
 */
export interface OverlayPanel {
  name: string;
  draw(parent: HTMLElement, runs: readonly Run[], look: RunLook): Promise<void>;
}

/** Every overlay panel, in page order. A new overlay with its own picture adds one entry here. */
export const OVERLAY_PANELS: readonly OverlayPanel[] = [
  {
    name: "bittorrent piece map",
    draw: (parent, runs, look) =>
      pieceMapSection(
        parent,
        runs.map((r) => r.entry),
        (entry) => look.label(runs.find((r) => r.entry.id === entry.id)!),
      ),
  },
  { name: "blockchain coverage and fork tree", draw: (parent, runs, look) => blockchainSection(parent, runs, look.label, look.color) },
  { name: "blockchain block spread", draw: (parent, runs, look) => blockSpreadSection(parent, runs, look.label) },
  { name: "ipfs file placement", draw: (parent, runs, look) => ipfsSection(parent, runs, look.label) },
];
