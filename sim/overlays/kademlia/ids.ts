import type { PeerId } from "../../peers/population.js";
import { IdSpace, KEY_SALT, PEER_SALT } from "../shared/id-space.js";

/**
 * Kademlia identifiers and the XOR metric, without BigInt. An id of `bits`
 * bits is `W` = ceil(bits / 32) unsigned 32-bit words, most significant
 * first; the first word keeps only its low `bits - 32·(W-1)` bits. Every
 * peer's id lives in one flat Uint32Array (`W` words per peer number).
 *
 * Ids come from the same fixed hash as Chord's (IdSpace.hash, with the same
 * salts), so a peer or a key has the same id in both overlays and runs of
 * the two compare like for like.
 *
 * Bit positions are counted from the top: position 0 is the most
 * significant bit of the id. The "level" of a contact is the length of the
 * prefix it shares with the peer; with `b` bits per digit, level L covers
 * positions [L·b, L·b + b) (the last level may be narrower).
 */
export class KadIds {
  readonly bits: number;
  readonly W: number;
  /** Unused high bits in the first word (32·W − bits). */
  readonly pad: number;
  readonly space: IdSpace;
  /** Every peer's id, W words each, by peer number. */
  ids = new Uint32Array(0);
  /**
   * The top word of every peer's id, by peer number: a compact copy that
   * decides almost every distance comparison (two random ids agree on their
   * top word with probability 2^-32·N) while touching 4 bytes per peer
   * instead of a W-word row, so hot loops stay in cache.
   */
  top = new Uint32Array(0);
  capacity = 0;

  constructor(bits: number, capacity: number) {
    this.space = new IdSpace(bits);
    this.bits = bits;
    this.W = this.space.words;
    this.pad = 32 * this.W - bits;
    this.ensure(Math.max(16, capacity) - 1);
  }

  /** Makes room for peer numbers up to `peer`, hashing the new peers' ids. */
  ensure(peer: PeerId): void {
    if (peer < this.capacity) return;
    const capacity = Math.max(peer + 1, this.capacity * 2);
    const ids = new Uint32Array(capacity * this.W);
    ids.set(this.ids);
    for (let p = this.capacity; p < capacity; p++) this.space.hash(p, PEER_SALT, ids, p * this.W);
    const top = new Uint32Array(capacity);
    for (let p = 0; p < capacity; p++) top[p] = ids[p * this.W]!;
    this.ids = ids;
    this.top = top;
    this.capacity = capacity;
  }

  /** Writes the id of workload key `key` to out[o..o+W). */
  keyId(key: number, out: Uint32Array, o = 0): void {
    this.space.hash(key, KEY_SALT, out, o);
  }

  /** The bit at position `pos` (0 = most significant) of the id at a[ao..]. */
  bit(a: Uint32Array, ao: number, pos: number): number {
    const s = pos + this.pad;
    return (a[ao + (s >>> 5)]! >>> (31 - (s & 31))) & 1;
  }

  /** `width` (≤ 16) bits starting at position `pos`, as an integer (the first bit is the most significant). */
  bitsAt(a: Uint32Array, ao: number, pos: number, width: number): number {
    let v = 0;
    for (let i = 0; i < width; i++) v = (v << 1) | this.bit(a, ao, pos + i);
    return v;
  }

  /** Length of the common prefix of two ids: the position of their first differing bit, or `bits` if equal. */
  commonPrefix(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
    for (let k = 0; k < this.W; k++) {
      const x = (a[ao + k]! ^ b[bo + k]!) >>> 0;
      if (x !== 0) return 32 * k + Math.clz32(x) - this.pad;
    }
    return this.bits;
  }

  /**
   * Compares the XOR distances of peers x and y to the id at t[to..], like
   * cmpDistance, deciding on the compact top words when they differ.
   */
  cmpPeerDistance(t: Uint32Array, to: number, x: PeerId, y: PeerId): number {
    const t0 = t[to]!;
    const dx = (this.top[x]! ^ t0) >>> 0;
    const dy = (this.top[y]! ^ t0) >>> 0;
    if (dx !== dy) return dx < dy ? -1 : 1;
    const all = this.ids;
    return this.cmpDistance(t, to, all, x * this.W, all, y * this.W);
  }

  /** Length of the prefix two peers' ids share (`bits` for the same id), from the top words when they differ. */
  commonPrefixOfPeers(x: PeerId, y: PeerId): number {
    const d = (this.top[x]! ^ this.top[y]!) >>> 0;
    if (d !== 0) return Math.clz32(d) - this.pad;
    const all = this.ids;
    return this.commonPrefix(all, x * this.W, all, y * this.W);
  }

  /**
   * Compares the XOR distances of x and y to t: -1 if x is closer, 1 if y
   * is, 0 if equal (the same id). Word by word from the top, so a random
   * pair is decided by the first word almost always, and exactly on ties.
   */
  cmpDistance(t: Uint32Array, to: number, x: Uint32Array, xo: number, y: Uint32Array, yo: number): number {
    for (let k = 0; k < this.W; k++) {
      const tk = t[to + k]!;
      const dx = (x[xo + k]! ^ tk) >>> 0;
      const dy = (y[yo + k]! ^ tk) >>> 0;
      if (dx !== dy) return dx < dy ? -1 : 1;
    }
    return 0;
  }

  /** Writes the XOR distance between the ids at a and b to out[o..o+W). */
  distance(a: Uint32Array, ao: number, b: Uint32Array, bo: number, out: Uint32Array, o: number): void {
    for (let k = 0; k < this.W; k++) out[o + k] = (a[ao + k]! ^ b[bo + k]!) >>> 0;
  }

  /** -1, 0 or 1 as the id at a is below, equal to or above the one at b (unsigned, for sorting). */
  cmp(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
    for (let k = 0; k < this.W; k++) {
      const x = a[ao + k]!;
      const y = b[bo + k]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /**
   * The id as a fraction of the id space in [0, 1): its top word and the
   * next, which is as exact as a double gets.
   */
  position(a: Uint32Array, ao: number): number {
    const top = 32 - this.pad;
    return a[ao]! / 2 ** top + (this.W > 1 ? a[ao + 1]! / 2 ** (top + 32) : 0);
  }

  /**
   * A double ordered like the id (monotone: a < b gives approx(a) ≤ approx(b)),
   * from its top two words. Ties need the exact words.
   */
  approx(a: Uint32Array, ao: number): number {
    return a[ao]! * 4294967296 + (this.W > 1 ? a[ao + 1]! : 0);
  }
}
