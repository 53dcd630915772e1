import type { Message, MessageTypes } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/**
 * Bitcoin P2P messages (sizes from the protocol: 24-byte message header,
 * 36-byte inventory entries, 80-byte block headers) plus 40 bytes of TCP/IP
 * headers each. Block traffic carries `broadcast` so it is charged to the
 * block's propagation.
 */

/** "I have this block" (inv). */
export interface InvMessage extends Message {
  type: "inv";
  block: number;
  broadcast: number;
}

/** "Send me this block" (getdata); with `blocks`, every block listed, oldest first (headers relay asks for a missing chain at once). */
export interface GetDataMessage extends Message {
  type: "getdata";
  block: number;
  broadcast: number;
  blocks?: number[];
}

/** BIP 130 announcement (sendheaders): `count` 81-byte headers, the last of them `block`'s. */
export interface HeadersMessage extends Message {
  type: "headers";
  block: number;
  broadcast: number;
  count: number;
}

/** Asks for the `count` headers down from `block` that the asker lacks (getheaders with a block locator). */
export interface GetHeadersMessage extends Message {
  type: "getheaders";
  block: number;
  broadcast: number;
  count: number;
}

/** A whole block: header and transactions. */
export interface BlockMessage extends Message {
  type: "block";
  block: number;
  broadcast: number;
  bytes: number;
}

/** BIP 152 compact block: header, nonce and a 6-byte short id per transaction. */
export interface CompactBlockMessage extends Message {
  type: "cmpctblock";
  block: number;
  broadcast: number;
  txs: number;
}

/** The transactions a compact block's receiver lacks (getblocktxn). */
export interface GetBlockTxnMessage extends Message {
  type: "getblocktxn";
  block: number;
  broadcast: number;
  missing: number;
}

/** The answer to getblocktxn: those transactions. */
export interface BlockTxnMessage extends Message {
  type: "blocktxn";
  block: number;
  broadcast: number;
  bytes: number;
}

/** Transaction announcements (inv with MSG_TX entries): a trickle's batch of txids, 36 bytes each. */
export interface TxInvMessage extends Message {
  type: "txinv";
  txs: number[];
}

/** "Send me these transactions" (getdata with MSG_TX entries). */
export interface TxGetDataMessage extends Message {
  type: "txgetdata";
  txs: number[];
}

/** One transaction (tx). */
export interface TxMessage extends Message {
  type: "tx";
  tx: number;
  bytes: number;
}

/** Opens a connection (version/verack condensed into one request). */
export interface ConnectMessage extends Message {
  type: "connect";
}

/** The answer to connect: accepted or full, and a few addresses the node knows (addr). */
export interface ConnectReplyMessage extends Message {
  type: "connectReply";
  accepted: boolean;
  addresses: PeerId[];
}

/** A node closes the connection. */
export interface DisconnectMessage extends Message {
  type: "disconnect";
}

export interface PingMessage extends Message {
  type: "ping";
}

export interface PongMessage extends Message {
  type: "pong";
}

export type BlockchainMessage =
  | InvMessage
  | GetDataMessage
  | HeadersMessage
  | GetHeadersMessage
  | BlockMessage
  | CompactBlockMessage
  | GetBlockTxnMessage
  | BlockTxnMessage
  | TxInvMessage
  | TxGetDataMessage
  | TxMessage
  | ConnectMessage
  | ConnectReplyMessage
  | DisconnectMessage
  | PingMessage
  | PongMessage;

const TCP = 40;
const HEADER = 24;

export const blockchainMessageTypes: MessageTypes<BlockchainMessage> = {
  inv: { category: "broadcast", bytes: TCP + HEADER + 1 + 36 },
  getdata: { category: "broadcast", bytes: (m) => TCP + HEADER + 1 + 36 * (m.blocks?.length ?? 1) },
  headers: { category: "broadcast", bytes: (m) => TCP + HEADER + 1 + 81 * m.count },
  // version, hash count, a locator of about ten hashes, stop hash.
  getheaders: { category: "broadcast", bytes: TCP + HEADER + 4 + 1 + 32 * 10 + 32 },
  block: { category: "broadcast", bytes: (m) => TCP + HEADER + m.bytes },
  cmpctblock: { category: "broadcast", bytes: (m) => TCP + HEADER + 80 + 8 + 3 + 6 * m.txs },
  getblocktxn: { category: "broadcast", bytes: (m) => TCP + HEADER + 32 + 3 + 3 * m.missing },
  blocktxn: { category: "broadcast", bytes: (m) => TCP + HEADER + 32 + m.bytes },
  // Transaction relay (overlay.transactions): compact-size count (3 bytes covers any batch) and 36-byte entries.
  txinv: { category: "broadcast", bytes: (m) => TCP + HEADER + 3 + 36 * m.txs.length },
  txgetdata: { category: "broadcast", bytes: (m) => TCP + HEADER + 3 + 36 * m.txs.length },
  tx: { category: "broadcast", bytes: (m) => TCP + HEADER + m.bytes },
  connect: { category: "maintenance", bytes: TCP + HEADER + 102 },
  connectReply: { category: "maintenance", bytes: (m) => TCP + HEADER + 102 + 30 * m.addresses.length },
  disconnect: { category: "maintenance", bytes: TCP },
  ping: { category: "maintenance", bytes: TCP + HEADER + 8 },
  pong: { category: "maintenance", bytes: TCP + HEADER + 8 },
};
