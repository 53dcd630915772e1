import type { PeerId } from "../../peers/population.js";
import type { StorageAvailability } from "../../core/protocol.js";
import { PairIndex } from "../../collections/pair-index.js";
import type { Dags } from "./dag.js";

/** One peer's blocks of one file. */
interface Copy {
  /** 1 for each block of the file the peer holds. */
  readonly have: Uint8Array;
  count: number;
  bytes: number;
  /** Pinned copies are kept forever; the others are cache, removed by garbage collection. */
  pinned: boolean;
}

/**
 * Every peer's blockstore: the blocks it holds, pinned or cached. Blocks
 * live on disk (Kubo's datastore), so a peer keeps them across sessions.
 * Garbage collection (Kubo's): when a peer's store passes `gcWatermark` of
 * its `max`, every unpinned block goes.
 *
 * Availability is kept incrementally: for each file, the online peers that
 * hold all of its blocks, and the peers (online or not) that do.
 *
 * Whether a peer holds a block is asked for every WANT_HAVE a peer
 * receives, so besides each peer's copies (in the order it got them, for
 * announcing and garbage collection) an index of (peer, block CID) answers
 * it in one probe. Most such peers lack the block, and that index is large
 * (a cache miss per probe), so each peer also has a 256-bit filter of its
 * blocks' CIDs (one bit each, hashed): a clear bit says "no" at once. A
 * peer with the usual few dozen blocks has about a fifth of its bits set;
 * garbage collection rebuilds the filter of the peer it emptied.
 */
export class Blockstore {
  private readonly stores: (Map<number, Copy> | undefined)[] = [];
  /** (peer, CID) of every block held. */
  private readonly held = new PairIndex(1 << 14);
  /** Each peer's filter: FILTER_WORDS words, the bit of each CID it holds set (see filterBit). */
  private readonly filters: Int32Array;
  private readonly usedBytes: Float64Array;
  private readonly online: Uint8Array;
  /** Online peers holding every block of each file. */
  private readonly fullOnline: Int32Array;
  /** Peers, online or not, holding every block of each file. */
  private readonly fullAnywhere: Int32Array;
  private readonly published: Uint8Array;
  private publishedCount = 0;
  private availableCount = 0;
  private keptCount = 0;

  constructor(
    private readonly dags: Dags,
    capacity: number,
    private readonly maxBytes: number,
    private readonly gcWatermark: number,
    /** `peer` no longer holds every block of `file` (garbage collection): it stops providing it. */
    private readonly dropped: (peer: PeerId, file: number) => void,
    private readonly count: (name: string, amount?: number) => void,
  ) {
    this.usedBytes = new Float64Array(capacity);
    this.filters = new Int32Array(capacity * FILTER_WORDS);
    this.online = new Uint8Array(capacity);
    this.fullOnline = new Int32Array(dags.count);
    this.fullAnywhere = new Int32Array(dags.count);
    this.published = new Uint8Array(dags.count);
  }

  /** True if `peer` holds block `block` of `file`. */
  has(peer: PeerId, file: number, block: number): boolean {
    const cid = this.dags.of(file).cid(block);
    const bit = filterBit(cid);
    if ((this.filters[peer * FILTER_WORDS + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    return this.held.get(peer, cid) >= 0;
  }

  private addToFilter(peer: PeerId, cid: number): void {
    const bit = filterBit(cid);
    this.filters[peer * FILTER_WORDS + (bit >>> 5)]! |= 1 << (bit & 31);
  }

  /** True if `peer` holds every block of `file`. */
  hasAll(peer: PeerId, file: number): boolean {
    const copy = this.stores[peer]?.get(file);
    return copy !== undefined && copy.count === copy.have.length;
  }

  /** The files `peer` holds completely, in the order it got them. */
  filesOf(peer: PeerId): number[] {
    const out: number[] = [];
    for (const [file, copy] of this.stores[peer] ?? []) if (copy.count === copy.have.length) out.push(file);
    return out;
  }

  isPinned(peer: PeerId, file: number): boolean {
    return this.stores[peer]?.get(file)?.pinned === true;
  }

  /** Bytes in `peer`'s store. */
  used(peer: PeerId): number {
    return this.usedBytes[peer]!;
  }

  /** `peer` stores block `block` of `file` (pinned or as cache). */
  add(peer: PeerId, file: number, block: number, pinned: boolean): void {
    const dag = this.dags.of(file);
    let store = this.stores[peer];
    if (store === undefined) this.stores[peer] = store = new Map();
    let copy = store.get(file);
    if (copy === undefined) store.set(file, (copy = { have: new Uint8Array(dag.blocks), count: 0, bytes: 0, pinned }));
    if (pinned) copy.pinned = true;
    if (copy.have[block] === 1) return;
    copy.have[block] = 1;
    this.held.set(peer, dag.cid(block), 1);
    this.addToFilter(peer, dag.cid(block));
    copy.count++;
    const size = dag.size(block);
    copy.bytes += size;
    this.usedBytes[peer] += size;
    if (copy.count === copy.have.length) this.becameFull(peer, file);
    if (this.usedBytes[peer]! > this.maxBytes * this.gcWatermark) this.collect(peer, file);
  }

  /** `peer` creates `file`: every block, pinned. */
  addAll(peer: PeerId, file: number, pinned: boolean): void {
    const dag = this.dags.of(file);
    for (let b = 0; b < dag.blocks; b++) this.add(peer, file, b, pinned);
  }

  /** `file` has been published: from now on it counts in availability. */
  markPublished(file: number): void {
    if (this.published[file]) return;
    this.published[file] = 1;
    this.publishedCount++;
    if (this.fullOnline[file]! > 0) this.availableCount++;
    if (this.fullAnywhere[file]! > 0) this.keptCount++;
  }

  private becameFull(peer: PeerId, file: number): void {
    if (this.fullAnywhere[file]++ === 0 && this.published[file]) this.keptCount++;
    if (this.online[peer] && this.fullOnline[file]++ === 0 && this.published[file]) this.availableCount++;
  }

  private noLongerFull(peer: PeerId, file: number): void {
    if (--this.fullAnywhere[file]! === 0 && this.published[file]) this.keptCount--;
    if (this.online[peer] && --this.fullOnline[file]! === 0 && this.published[file]) this.availableCount--;
  }

  /** Kubo's garbage collection: every unpinned block goes, except those of `keep` (being fetched right now). */
  private collect(peer: PeerId, keep: number): void {
    const store = this.stores[peer]!;
    this.count("gcRuns");
    for (const [file, copy] of [...store]) {
      if (copy.pinned || file === keep) continue;
      const full = copy.count === copy.have.length;
      store.delete(file);
      const dag = this.dags.of(file);
      for (let b = 0; b < copy.have.length; b++) if (copy.have[b] === 1) this.held.delete(peer, dag.cid(b));
      this.usedBytes[peer] -= copy.bytes;
      this.count("blocksCollected", copy.count);
      if (full) {
        this.noLongerFull(peer, file);
        this.dropped(peer, file);
      }
    }
    // A filter cannot forget a block: it is rebuilt from the blocks that stay.
    this.filters.fill(0, peer * FILTER_WORDS, (peer + 1) * FILTER_WORDS);
    for (const [file, copy] of store) {
      const dag = this.dags.of(file);
      for (let b = 0; b < copy.have.length; b++) if (copy.have[b] === 1) this.addToFilter(peer, dag.cid(b));
    }
  }

  /** `peer` comes online (true) or goes offline (false): its complete files change availability. */
  setOnline(peer: PeerId, up: boolean): void {
    if ((this.online[peer] === 1) === up) return;
    this.online[peer] = up ? 1 : 0;
    for (const [file, copy] of this.stores[peer] ?? []) {
      if (copy.count !== copy.have.length) continue;
      if (up) {
        if (this.fullOnline[file]++ === 0 && this.published[file]) this.availableCount++;
      } else if (--this.fullOnline[file]! === 0 && this.published[file]) this.availableCount--;
    }
  }

  /** Published files, those some online peer holds completely, and those no peer holds at all any more. */
  availability(): StorageAvailability {
    return { stored: this.publishedCount, available: this.availableCount, lost: this.publishedCount - this.keptCount };
  }

  /** Online peers holding all of `file` now. */
  onlineHolders(file: number): number {
    return this.fullOnline[file]!;
  }

  /** Peers (online or not) holding all of `file`, in peer order (for overlay.json). */
  holders(file: number, peers: readonly PeerId[]): PeerId[] {
    return peers.filter((p) => this.hasAll(p, file));
  }
}

/** Words of a peer's filter: 256 bits. */
const FILTER_WORDS = 8;

/** The filter bit of CID `cid`: the top 8 bits of a multiplicative hash (consecutive CIDs spread over the filter). */
function filterBit(cid: number): number {
  return Math.imul(cid, 0x9e3779b1) >>> 24;
}
