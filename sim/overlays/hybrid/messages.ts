import type { MessageTypes } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/**
 * Messages of the hybrid overlay. Sizes are on-the-wire bytes: 40 bytes of
 * TCP/IP headers plus a 4-byte Napster-style header (length + type), plus the
 * payload; a key is a 20-byte name, a peer address 6 bytes (IPv4 + port).
 */
const HEADERS = 40 + 4;
const KEY = 20;
const ADDRESS = 6;

export type HybridMessage =
  // Index maintenance (central mode) and leaf maintenance (super-peer mode).
  | { type: "register"; keys: readonly number[] }
  | { type: "registerAck" }
  | { type: "deregister" }
  | { type: "keepAlive" }
  | { type: "keepAliveAck"; known: boolean }
  | { type: "deadPeer"; peer: PeerId }
  // Super-peer mesh (maintenance).
  | { type: "spConnect"; superPeer: boolean; neighbours: number }
  | { type: "spConnectReply"; accepted: boolean; redirect: readonly PeerId[] }
  | { type: "spPing" }
  | { type: "spPong"; neighbour: boolean }
  | { type: "bye" }
  // Lookups.
  | { type: "query"; lookup: number; key: number }
  | { type: "queryReply"; lookup: number; holders: readonly PeerId[]; rejected: boolean }
  | { type: "spQuery"; lookup: number; qid: number; key: number; ttl: number; hops: number; origin: PeerId }
  | { type: "spHit"; lookup: number; holders: readonly PeerId[]; hops: number }
  | { type: "fetch"; lookup: number; key: number }
  // The object's content is modelled by its content hash (sim/peers/adversaries.ts): `value`, when found.
  | { type: "fetchReply"; lookup: number; found: boolean; value: number };

export const hybridMessageTypes: MessageTypes<HybridMessage> = {
  register: { category: "maintenance", bytes: (m) => HEADERS + KEY * m.keys.length },
  registerAck: { category: "maintenance", bytes: HEADERS },
  deregister: { category: "maintenance", bytes: HEADERS },
  keepAlive: { category: "maintenance", bytes: HEADERS },
  keepAliveAck: { category: "maintenance", bytes: HEADERS + 1 },
  deadPeer: { category: "maintenance", bytes: HEADERS + ADDRESS },
  spConnect: { category: "maintenance", bytes: HEADERS + 1 },
  spConnectReply: { category: "maintenance", bytes: (m) => HEADERS + 1 + ADDRESS * m.redirect.length },
  spPing: { category: "maintenance", bytes: HEADERS },
  spPong: { category: "maintenance", bytes: HEADERS + 1 },
  bye: { category: "maintenance", bytes: HEADERS },
  query: { category: "lookup", bytes: HEADERS + KEY },
  queryReply: { category: "lookup", bytes: (m) => HEADERS + 1 + (KEY + ADDRESS) * m.holders.length },
  spQuery: { category: "lookup", bytes: HEADERS + 16 + KEY + ADDRESS + 2 },
  spHit: { category: "lookup", bytes: (m) => HEADERS + 2 + (KEY + ADDRESS) * m.holders.length },
  fetch: { category: "lookup", bytes: HEADERS + KEY }, // the request; the transfer itself is not modelled
  fetchReply: { category: "lookup", bytes: HEADERS + 1 },
};
