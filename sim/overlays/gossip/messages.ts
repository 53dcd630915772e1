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

export const gossipMessageTypes: MessageTypes<GossipMessage> = {
  update: { category: "broadcast", bytes: (m) => HEADERS + 16 + m.bytes },
  ack: { category: "broadcast", bytes: HEADERS + 9 },
  digest: { category: "broadcast", bytes: (m) => HEADERS + 2 + 8 * m.ids.length },
  want: { category: "broadcast", bytes: (m) => HEADERS + 8 * m.ids.length },
  shuffle: { category: "maintenance", bytes: (m) => HEADERS + 6 * m.peers.length },
  shuffleReply: { category: "maintenance", bytes: (m) => HEADERS + 6 * m.peers.length },
};
