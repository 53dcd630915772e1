import type { MessageTypes } from "../../core/protocol.js";
import { providerDhtMessageTypes, type ProviderDhtMessage } from "../kademlia/provider-dht.js";

/**
 * Messages of the IPFS overlay: the DHT's (Kademlia RPCs and provider
 * records), each under the "dht/" prefix so the two protocols a peer runs
 * keep apart, and Bitswap's, each naming one block by (file, block).
 *
 * Bitswap 1.2 (the libp2p spec): WANT_HAVE asks whether a peer has a block
 * (answered by HAVE, or DONT_HAVE when the asker wants to know), WANT_BLOCK
 * asks for the block itself (answered by the block, or DONT_HAVE), CANCEL
 * withdraws a want. The block travels as a transfer over the links.
 * `dial` is opening a connection (a libp2p handshake, modelled as one round
 * trip).
 *
 * Sizes: 44 bytes of TCP/IP headers and framing, 20 for the stream's
 * protobuf envelope, a CID of 36 bytes and a 4-byte entry (priority, type,
 * flags) per want or presence.
 */

type Prefixed<M extends { type: string }, P extends string> = M extends unknown ? Omit<M, "type"> & { type: `${P}${M["type"]}` } : never;

export const DHT = "dht/";
export type DhtMessage = Prefixed<ProviderDhtMessage, typeof DHT>;

export type BitswapMessage =
  | { type: "wantHave"; lookup?: number; file: number; block: number; sendDontHave: boolean }
  | { type: "wantBlock"; lookup?: number; file: number; block: number }
  | { type: "have"; lookup?: number; file: number; block: number }
  | { type: "dontHave"; lookup?: number; file: number; block: number }
  | { type: "cancel"; lookup?: number; file: number; block: number }
  | { type: "dial"; lookup?: number }
  | { type: "dialed"; lookup?: number };

export type IpfsMessage = DhtMessage | BitswapMessage;

const H = 44 + 20;
const ENTRY = 36 + 4;

const bitswapMessageTypes: MessageTypes<BitswapMessage> = {
  wantHave: { category: "lookup", bytes: H + ENTRY },
  wantBlock: { category: "lookup", bytes: H + ENTRY },
  have: { category: "lookup", bytes: H + ENTRY },
  dontHave: { category: "lookup", bytes: H + ENTRY },
  cancel: { category: "lookup", bytes: H + ENTRY },
  dial: { category: "lookup", bytes: H + 100 },
  dialed: { category: "lookup", bytes: H + 100 },
};

function prefixed(): MessageTypes<DhtMessage> {
  const out: Record<string, unknown> = {};
  for (const [name, info] of Object.entries(providerDhtMessageTypes)) out[DHT + name] = info;
  return out as MessageTypes<DhtMessage>;
}

export const ipfsMessageTypes = { ...prefixed(), ...bitswapMessageTypes } as MessageTypes<IpfsMessage>;
