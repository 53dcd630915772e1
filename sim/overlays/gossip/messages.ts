import type { Message, MessageTypes } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/** Gossip messages. 40 bytes of TCP/IP headers each; item ids are 8 bytes. */

/** One item (a rumour, an update) and its payload; charged to its broadcast. */
export interface UpdateMessage extends Message {
  type: "update";
  broadcast: number;
  bytes: number;
  /** When it was published, so the receiver can count rounds and forget it after `memory`. */
  publishedMs: number;
}

/** The receiver's answer to an update: whether it knew the item already (Demers et al.'s feedback). */
export interface AckMessage extends Message {
  type: "ack";
  knew: boolean;
}

/** The recent items a peer has (anti-entropy, pull): the partner answers with what either side lacks. */
export interface DigestMessage extends Message {
  type: "digest";
  ids: number[];
  /** The sender wants items it lacks (pull). */
  pull: boolean;
  /** The sender offers items the partner lacks (push). */
  push: boolean;
}

/** Answer to a digest: the ids the answering peer wants from the digest's sender. */
export interface WantMessage extends Message {
  type: "want";
  ids: number[];
}

export interface ShuffleMessage extends Message {
  type: "shuffle";
  peers: PeerId[];
}

export interface ShuffleReplyMessage extends Message {
  type: "shuffleReply";
  peers: PeerId[];
}

export type GossipMessage = UpdateMessage | AckMessage | DigestMessage | WantMessage | ShuffleMessage | ShuffleReplyMessage;

const HEADERS = 40;

/** Sizes on the wire, shared by the message table and the cycle mode's accounting (cycles.ts). */
export const updateBytes = (payload: number) => HEADERS + 16 + payload;
export const ACK_BYTES = HEADERS + 9;
export const digestBytes = (ids: number) => HEADERS + 2 + 8 * ids;
export const wantBytes = (ids: number) => HEADERS + 8 * ids;

export const gossipMessageTypes: MessageTypes<GossipMessage> = {
  update: { category: "broadcast", bytes: (m) => updateBytes(m.bytes) },
  ack: { category: "broadcast", bytes: ACK_BYTES },
  digest: { category: "broadcast", bytes: (m) => digestBytes(m.ids.length) },
  want: { category: "broadcast", bytes: (m) => wantBytes(m.ids.length) },
  shuffle: { category: "maintenance", bytes: (m) => HEADERS + 6 * m.peers.length },
  shuffleReply: { category: "maintenance", bytes: (m) => HEADERS + 6 * m.peers.length },
};
