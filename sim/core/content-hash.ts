/**
 * Values are modelled by their content hash: the honest answer for key k is
 * contentHash(k), as in content-addressed stores (IPFS, BitTorrent's info
 * hashes) where the key is the hash of the content and anyone can check it.
 * A tampering peer hands out something else (sim/peers/adversaries.ts); the
 * runtime checks what a requester got against this (sim/overlays/answers.ts).
 */

/** The honest value of `key`: a 32-bit mix of it (never 0). */
export function contentHash(key: number): number {
  let h = Math.imul(key ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) || 1;
}
