/**
 * What the topology view remembers between redraws (the run, snapshot, traced
 * lookup and replay step shown, the link kinds hidden), and the sizes and
 * colours its parts share.
 */

export const SIZE = 640;
/** The square the overlay is drawn in, below the title and inside the frame. */
export const AREA = SIZE - 64;
/** Link colours: blues, greys and greens, so the replay's crimson arrows stand out on top of them. */
export const KIND_COLORS: Record<string, string> = {
  successor: "#1f5fa8",
  "successor-list": "#9ecae1",
  predecessor: "#6a51a3",
  finger: "#5aa9a0",
  bucket: "#74a66b",
  neighbour: "#8c8c8c",
  index: "#a08060",
  "super-peer": "#3b7d3b",
  leaf: "#b7b7b7",
};
/** The replay: crimson, used by no link kind. */
export const REPLAY = "#d6004c";
export const REPLAY_PAST = "#f08aa9";
/** Link kinds drawn unless the user ticks them: too many lines otherwise. */
export const HIDDEN_BY_DEFAULT = new Set(["successor-list", "predecessor"]);
/** Link kinds drawn for one chosen peer only (everyone's at once is a tangle). */
export const PER_PEER = new Set(["finger", "bucket"]);

export interface ViewState {
  runId?: string;
  snapshot: number;
  lookup: number;
  step: number;
  hiddenKinds: Set<string>;
  /** The run whose defaults `hiddenKinds` holds. */
  kindsFor?: string;
  /** Whose fingers (or k-bucket contacts) are drawn: a peer, or -1 for the traced lookup's origin. */
  fingersOf: number;
  /** Kademlia: the id line, or every peer by XOR distance from one peer. */
  kadMode: "line" | "xor";
}

export const view: ViewState = { snapshot: 0, lookup: 0, step: 0, hiddenKinds: new Set(HIDDEN_BY_DEFAULT), fingersOf: -1, kadMode: "xor" };
