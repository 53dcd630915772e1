import type { MessageTypes } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/**
 * Messages of the unstructured overlay, modelled on Gnutella 0.6. Sizes are
 * on-the-wire bytes: a 23-byte Gnutella descriptor header plus 40 bytes of
 * TCP/IP headers, plus each message's payload.
 */
const HEADERS = 23 + 40;

export type UnstructuredMessage =
  // Neighbour management (maintenance traffic).
  | { type: "connect" }
  | { type: "connectReply"; accepted: boolean }
  | { type: "ping" }
  | { type: "pong"; neighbour: boolean }
  | { type: "discover"; origin: PeerId; ttl: number }
  | { type: "discoverReply"; peers: readonly PeerId[] }
  | { type: "bye" }
  // Search (lookup traffic).
  | { type: "query"; lookup: number; qid: number; key: number; ttl: number; hops: number }
  | { type: "walk"; lookup: number; qid: number; key: number; ttl: number; hops: number; origin: PeerId }
  | { type: "walkCheck"; lookup: number }
  | { type: "walkCheckReply"; lookup: number; goOn: boolean }
  /**
   * A hit names the peer that answered (Gnutella's hit carries its address)
   * and the value it handed out: the content hash of the key, unless that
   * peer tampers (sim/peers/adversaries.ts).
   */
  | { type: "queryHit"; lookup: number; qid: number; hops: number; holder: PeerId; value: number }
  // Broadcasts (workload.broadcasts): a published item flooded with a TTL.
  | { type: "publish"; broadcast: number; ttl: number; bytes: number };

export const unstructuredMessageTypes: MessageTypes<UnstructuredMessage> = {
  connect: { category: "maintenance", bytes: HEADERS + 120 }, // the 0.6 handshake's header lines
  connectReply: { category: "maintenance", bytes: HEADERS + 120 },
  ping: { category: "maintenance", bytes: HEADERS },
  pong: { category: "maintenance", bytes: HEADERS + 14 },
  discover: { category: "maintenance", bytes: HEADERS + 8 },
  discoverReply: { category: "maintenance", bytes: (m) => HEADERS + 6 * m.peers.length }, // IPv4 + port per peer
  bye: { category: "maintenance", bytes: HEADERS + 2 },
  query: { category: "lookup", bytes: HEADERS + 2 + 20 }, // min speed + a 20-byte search string
  walk: { category: "lookup", bytes: HEADERS + 2 + 20 + 6 }, // plus the requester's address
  walkCheck: { category: "lookup", bytes: HEADERS + 4 },
  walkCheckReply: { category: "lookup", bytes: HEADERS + 1 },
  queryHit: { category: "lookup", bytes: HEADERS + 11 + 30 + 16 }, // header (with the holder's address), one result (with its hash), servent id
  publish: { category: "broadcast", bytes: (m) => HEADERS + 16 + m.bytes }, // item id + the item itself
};
