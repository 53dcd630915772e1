import type { PeerId } from "../../peers/population.js";
import type { MessageTypes } from "../../core/protocol.js";

/**
 * Messages of the Chord overlay. Sizes are on-the-wire bytes: 40 bytes of
 * TCP/IP headers and a 4-byte message type, plus `ID` bytes per identifier
 * (always 20, SHA-1's width, whatever idBits is, so traffic is comparable across id widths) and 6 bytes (IPv4 + port)
 * per peer address. A peer's address and id travel together (26 bytes at 160 bits).
 */
export type ChordMessage =
  // Routing: `step` asks a peer for the next hop towards `target`, naming peers the asker found dead
  // (`avoid`); the reply names the owner or candidates.
  | { type: "step"; lookup?: number; target: Uint32Array; avoid: readonly PeerId[] }
  | { type: "stepReply"; lookup?: number; owner: PeerId; next: readonly PeerId[] }
  | { type: "findStep"; target: Uint32Array; avoid: readonly PeerId[]; joining: boolean }
  | { type: "findStepReply"; owner: PeerId; next: readonly PeerId[] }
  // Recursive routing: each hop forwards `route` and acknowledges it; the last hop tells the origin.
  | { type: "route"; lookup: number; target: Uint32Array; origin: PeerId; hops: number }
  | { type: "routeAck"; lookup: number }
  | { type: "found"; lookup: number; owner: PeerId; hops: number }
  // Maintenance.
  | { type: "getPredecessor" }
  | { type: "predecessorReply"; predecessor: PeerId; successors: readonly PeerId[] }
  | { type: "notify" }
  | { type: "ping" }
  | { type: "pong" }
  | { type: "leaving"; predecessor: PeerId; successors: readonly PeerId[] }
  // Storage: a put reaches the owner (store), owners copy items to successors (replicate), items move on
  // joins and leaves (handoff), and a get fetches an item from a holder, which names other holders if it lacks it.
  | { type: "store"; keys: readonly number[] }
  | { type: "storeAck"; accepted: boolean }
  | { type: "replicate"; keys: readonly number[] }
  | { type: "handoff"; keys: readonly number[] }
  | { type: "get"; lookup: number; key: number }
  // A found item's reply carries its value (modelled by a content hash, see sim/peers/adversaries.ts); when honest
  // peers verify values it also names other holders, to try if the value is corrupted.
  | { type: "getReply"; lookup: number; found: boolean; value: number; holders: readonly PeerId[] };

const H = 44;
const ID = 20;
const NODE = ID + 6;
/** Bytes of one stored item's content: a small record (a file's location, as in the paper's examples). */
const VALUE = 100;

export const chordMessageTypes: MessageTypes<ChordMessage> = {
  step: { category: "lookup", bytes: (m) => H + ID + 4 + 6 * m.avoid.length },
  stepReply: { category: "lookup", bytes: (m) => H + NODE * (1 + m.next.length) },
  findStep: { category: "maintenance", bytes: (m) => H + ID + 1 + 6 * m.avoid.length },
  findStepReply: { category: "maintenance", bytes: (m) => H + NODE * (1 + m.next.length) },
  route: { category: "lookup", bytes: H + ID + 4 + NODE + 2 },
  routeAck: { category: "lookup", bytes: H + 4 },
  found: { category: "lookup", bytes: H + 4 + NODE + 2 },
  getPredecessor: { category: "maintenance", bytes: H },
  predecessorReply: { category: "maintenance", bytes: (m) => H + NODE * (1 + m.successors.length) },
  notify: { category: "maintenance", bytes: H + NODE },
  ping: { category: "maintenance", bytes: H },
  pong: { category: "maintenance", bytes: H },
  leaving: { category: "maintenance", bytes: (m) => H + NODE * (1 + m.successors.length) },
  // An item on the wire is its 20-byte id plus VALUE bytes of content (a get's reply carries one when found).
  store: { category: "maintenance", bytes: (m) => H + (ID + VALUE) * m.keys.length },
  storeAck: { category: "maintenance", bytes: H + 1 },
  // Copies restoring replication (also the owner's first copies of a new item) and items moving on joins and leaves.
  replicate: { category: "maintenance", bytes: (m) => H + (ID + VALUE) * m.keys.length, repair: true },
  handoff: { category: "maintenance", bytes: (m) => H + (ID + VALUE) * m.keys.length, repair: true },
  get: { category: "lookup", bytes: H + ID },
  getReply: { category: "lookup", bytes: (m) => H + 1 + (m.found ? VALUE : 0) + NODE * m.holders.length },
};
