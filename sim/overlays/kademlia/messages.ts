import type { MessageTypes } from "../../core/protocol.js";

/**
 * Messages of the Kademlia overlay: the paper's four RPCs (PING, STORE,
 * FIND_NODE, FIND_VALUE) and their replies. FIND_NODE comes in two types
 * with the same meaning, so the network can count workload lookups apart
 * from the lookups of joins, refreshes and stores (maintenance).
 *
 * Sizes are on-the-wire bytes, as for Chord: 40 bytes of TCP/IP headers and
 * a 4-byte type, 20 bytes per id (whatever idBits is, so traffic compares
 * across widths), 26 bytes per contact (id, IPv4 address and port), and
 * `VALUE` bytes for a value. Every message carries its sender's id (20),
 * as in the paper, which is how receivers learn contacts.
 */
export type KademliaMessage =
  | { type: "findNode"; lookup: number; target: Uint32Array }
  | { type: "findValue"; lookup: number; key: number; target: Uint32Array }
  /**
   * The answer to a workload FIND_NODE or FIND_VALUE: the k closest contacts
   * the responder knows, or (`found`) the value, modelled by its content hash
   * (`value`, 0 when not found; see AdversaryView.valueFrom).
   */
  | { type: "nodes"; lookup: number; contacts: readonly number[]; found: boolean; value: number }
  | { type: "maintenanceFindNode"; target: Uint32Array }
  | { type: "maintenanceNodes"; contacts: readonly number[] }
  | { type: "ping" }
  | { type: "pong" }
  /**
   * Store `key`, published at `publishedMs`; `expiresMs` is when this copy
   * lapses. "store" is a key's first publication (and a copy cached on a
   * lookup path); "storeRepair" restores replication: republishing,
   * replication rounds and the hand-over to newcomers (repair traffic).
   */
  | { type: "store"; key: number; publishedMs: number; expiresMs: number; cached: boolean }
  | { type: "storeRepair"; key: number; publishedMs: number; expiresMs: number; cached: boolean }
  | { type: "stored" };

const H = 44 + 20;
const ID = 20;
const CONTACT = ID + 6;
/** Bytes of one stored value: a small record (a file's location, as in the paper's examples). */
const VALUE = 100;

export const kademliaMessageTypes: MessageTypes<KademliaMessage> = {
  findNode: { category: "lookup", bytes: H + ID },
  findValue: { category: "lookup", bytes: H + ID },
  nodes: { category: "lookup", bytes: (m) => H + (m.found ? VALUE : 1 + CONTACT * m.contacts.length) },
  maintenanceFindNode: { category: "maintenance", bytes: H + ID },
  maintenanceNodes: { category: "maintenance", bytes: (m) => H + 1 + CONTACT * m.contacts.length },
  ping: { category: "maintenance", bytes: H },
  pong: { category: "maintenance", bytes: H },
  store: { category: "maintenance", bytes: H + ID + 8 + VALUE },
  storeRepair: { category: "maintenance", bytes: H + ID + 8 + VALUE, repair: true },
  stored: { category: "maintenance", bytes: H },
};
