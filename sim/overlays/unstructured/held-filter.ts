import type { PeerId } from "../../peers/population.js";

/**
 * A one-word summary per peer of the keys it may hold, asked before the
 * item ledger on the flooding hot path.
 *
 * Why: a flood asks "does this peer hold the key?" at every peer it reaches,
 * and the ledger answers from a Map per peer; on 10,000 peers those maps are
 * spread over memory, and the cache misses of that one question were most of
 * the time a query took to handle. Here each peer has 64 bits, one per class
 * of keys (a hash of the key), in one typed array that stays in cache: a
 * clear bit means the peer surely lacks the key, so the ledger is asked only
 * when the bit is set (with a few keys per peer, for some 5 % of the peers
 * that lack it).
 *
 * Bits are set when a peer gets a key and never cleared (an evicted copy
 * leaves its bit behind): a stale bit only sends the question on to the
 * ledger, which has the exact answer, so what a search finds never changes.
 */
export class HeldFilter {
  /** Peer p's 64 bits are words 2p and 2p + 1. */
  private words = new Uint32Array(2048);

  /** `peer` got `key` (its own file or a copy). */
  mark(peer: PeerId, key: number): void {
    if (2 * peer + 1 >= this.words.length) {
      const bigger = new Uint32Array(Math.max(2 * peer + 2, 2 * this.words.length));
      bigger.set(this.words);
      this.words = bigger;
    }
    const h = hash(key);
    this.words[2 * peer + (h >>> 31)]! |= 1 << ((h >>> 26) & 31);
  }

  /** False when `peer` surely holds no copy of `key`; true when it may. */
  mayHold(peer: PeerId, key: number): boolean {
    const h = hash(key);
    const word = 2 * peer + (h >>> 31);
    return word < this.words.length && (this.words[word]! & (1 << ((h >>> 26) & 31))) !== 0;
  }
}

/** A multiplicative hash; its top six bits pick the key's bit, so runs of nearby keys spread over all 64. */
function hash(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 0;
}
