import type { MessageTypes } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/**
 * Messages of the bittorrent overlay (BEP 3). Sizes are on-the-wire bytes:
 * 40 bytes of TCP/IP headers plus the peer-wire message (4-byte length
 * prefix, 1-byte id, payload). The data of a PIECE message is not a message:
 * it moves as a transfer (ctx.transfer) of the block plus its 13-byte header.
 * Tracker announces are HTTP GETs; their sizes are typical, not exact.
 */
const TCP_IP = 40;
const WIRE = 4 + 1;
/** A compact peer entry in a tracker answer: IPv4 address and port. */
const COMPACT_PEER = 6;
/** The header that precedes a block's data in a PIECE message (length, id, index, begin). */
export const PIECE_HEADER_BYTES = 13;

export type AnnounceEvent = "started" | "completed" | "stopped" | "none";

export type BittorrentMessage =
  // Tracker (HTTP).
  | { type: "announce"; event: AnnounceEvent; numwant: number }
  | { type: "announceReply"; peers: readonly PeerId[] }
  // Peer wire.
  | { type: "handshake" }
  | { type: "handshakeReply"; accepted: boolean }
  | { type: "bitfield"; have: Uint8Array }
  | { type: "have"; piece: number }
  /** Batched HAVEs (option haveInterval): the pieces verified since the last batch, as one message. */
  | { type: "haves"; pieces: readonly number[] }
  | { type: "interested" }
  | { type: "notInterested" }
  /** `inFlight`: the block whose bytes are already on the wire (-1: none); it still arrives, as over TCP. */
  | { type: "choke"; inFlight: number }
  | { type: "unchoke" }
  | { type: "request"; key: number }
  | { type: "cancel"; key: number }
  | { type: "keepAlive" }
  | { type: "close" }
  // Client-server mode: an HTTP GET for the whole file.
  | { type: "get" }
  | { type: "getReply" };

export const bittorrentMessageTypes: MessageTypes<BittorrentMessage> = {
  announce: { category: "maintenance", bytes: TCP_IP + 300 },
  announceReply: { category: "maintenance", bytes: (m) => TCP_IP + 100 + COMPACT_PEER * m.peers.length },
  handshake: { category: "maintenance", bytes: TCP_IP + 68 },
  handshakeReply: { category: "maintenance", bytes: TCP_IP + 68 },
  bitfield: { category: "maintenance", bytes: (m) => TCP_IP + WIRE + Math.ceil(m.have.length / 8) },
  have: { category: "maintenance", bytes: TCP_IP + WIRE + 4 },
  haves: { category: "maintenance", bytes: (m) => TCP_IP + (WIRE + 4) * m.pieces.length },
  interested: { category: "maintenance", bytes: TCP_IP + WIRE },
  notInterested: { category: "maintenance", bytes: TCP_IP + WIRE },
  choke: { category: "maintenance", bytes: TCP_IP + WIRE },
  unchoke: { category: "maintenance", bytes: TCP_IP + WIRE },
  request: { category: "maintenance", bytes: TCP_IP + WIRE + 12 },
  cancel: { category: "maintenance", bytes: TCP_IP + WIRE + 12 },
  keepAlive: { category: "maintenance", bytes: TCP_IP + 4 },
  close: { category: "maintenance", bytes: TCP_IP },
  get: { category: "maintenance", bytes: TCP_IP + 200 },
  getReply: { category: "maintenance", bytes: TCP_IP + 200 },
};
