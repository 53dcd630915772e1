import type { PeerId } from "../../peers/population.js";

/** One side's view of a peer-wire connection (each of the two peers keeps its own). */
export class Connection {
  /** Its column in the owner's `holders` (which pieces the remote peer has); -1 once closed. */
  slot = -1;
  /** Pieces the remote peer has that we lack: we are interested while it is above 0. */
  wanted = 0;
  /** We opened it (counted against maxInitiate). */
  outgoing = false;
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** Block keys we requested from them and have not received. */
  readonly outstanding: number[] = [];
  /** Block keys they requested from us, waiting for our uplink (one transfer per connection at a time, like one TCP stream). */
  readonly uploadQueue: number[] = [];
  uploading = false;
  /** The block being sent to them now (valid while `uploading`). */
  servingKey = -1;
  /**
   * Bytes of blocks received from them in rechoke period `receivedRound` and the one before
   * (tit-for-tat's rate window). Rolled forward lazily (`rollTo`), so a rechoke touches only
   * the connections it decides about, not every connection.
   */
  receivedNow = 0;
  receivedBefore = 0;
  receivedRound: number;
  /** When their last block arrived (anti-snubbing); the connection's start until then. */
  lastBlockMs: number;
  /** When we last unchoked them (the seed's round robin); -Infinity: never. */
  lastUnchokedMs = -Infinity;
  /** Since when we have had them unchoked optimistically (NaN: not now). */
  optimisticSince = NaN;
  /** When we last heard from them (keep-alive). */
  lastHeardMs: number;

  constructor(
    readonly peer: PeerId,
    readonly openedMs: number,
    /** Opening order among the owner's connections (the order of `PeerState.connections`). */
    readonly seq: number,
    round: number,
  ) {
    this.lastBlockMs = openedMs;
    this.lastHeardMs = openedMs;
    this.receivedRound = round;
  }

  /** Brings the received-bytes window to rechoke period `round` (each period shifts now into before). */
  rollTo(round: number): void {
    if (this.receivedRound === round) return;
    this.receivedBefore = this.receivedRound === round - 1 ? this.receivedNow : 0;
    this.receivedNow = 0;
    this.receivedRound = round;
  }
}

/** Inserts `c` into `list`, kept in opening order (so iterating it matches iterating the connections map). */
export function insertInOrder(list: Connection[], c: Connection): void {
  let i = list.length;
  list.push(c);
  while (i > 0 && list[i - 1]!.seq > c.seq) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = c;
}

/** Removes `c` from `list` if it is there, keeping the order. */
export function removeFrom(list: Connection[], c: Connection): void {
  const i = list.indexOf(c);
  if (i >= 0) list.splice(i, 1);
}

/** A piece being downloaded: which blocks arrived, how many requests each has out, who sent them. */
export class PartialPiece {
  readonly got: Uint8Array;
  /** Outstanding requests per block (more than one only in end game). */
  readonly requested: Uint8Array;
  gotCount = 0;
  /** Blocks never requested yet. */
  unrequested: number;
  corrupt = false;
  readonly senders: PeerId[] = [];
  /** Execution rounds: bytes of the piece in so far (they stay when its flow stops). */
  bytes = 0;

  constructor(
    /** Set again only by `reuse`. */
    public piece: number,
    readonly blocks: number,
  ) {
    this.got = new Uint8Array(blocks);
    this.requested = new Uint8Array(blocks);
    this.unrequested = blocks;
  }

  /** Makes this record, done with, a fresh one for `piece` (of as many blocks): rounds recycle records rather than leave millions to the garbage collector. */
  reuse(piece: number): this {
    this.piece = piece;
    for (let b = 0; b < this.blocks; b++) {
      this.got[b] = 0;
      this.requested[b] = 0;
    }
    this.gotCount = 0;
    this.bytes = 0;
    this.unrequested = this.blocks;
    this.corrupt = false;
    this.senders.length = 0;
    return this;
  }
}

/**
 * The pieces a peer has started, by piece: a map in start order (the picker walks it, so
 * its order is part of the protocol's behaviour) plus a flag per piece, so that "already
 * started?" in the picker's scans is an array read rather than a hash lookup.
 */
export class PartialPieces {
  private readonly byPiece = new Map<number, PartialPiece>();
  /** 1 where a piece has been started (mirrors the map's keys). */
  readonly started: Uint8Array;
  /** The same flags as bits, 32 pieces a word (the picker's scans read whole words). */
  readonly startedBits: Uint32Array;

  constructor(pieces: number) {
    this.started = new Uint8Array(pieces);
    this.startedBits = new Uint32Array((pieces + 31) >> 5);
  }

  get size(): number {
    return this.byPiece.size;
  }

  get(piece: number): PartialPiece | undefined {
    return this.byPiece.get(piece);
  }

  has(piece: number): boolean {
    return this.started[piece] === 1;
  }

  set(piece: number, partial: PartialPiece): void {
    this.byPiece.set(piece, partial);
    this.started[piece] = 1;
    this.startedBits[piece >> 5]! |= 1 << (piece & 31);
  }

  delete(piece: number): void {
    this.byPiece.delete(piece);
    this.started[piece] = 0;
    this.startedBits[piece >> 5]! &= ~(1 << (piece & 31));
  }

  clear(): void {
    this.byPiece.clear();
    this.started.fill(0);
    this.startedBits.fill(0);
  }

  values(): IterableIterator<PartialPiece> {
    return this.byPiece.values();
  }
}

/** Everything one peer knows about the torrent and its connections; pieces survive a crash (they are on disk), connections do not. */
export class PeerState {
  /** 1 where we have the piece; change it only through `gotPiece` and `fill`, which keep `haveBits` with it. */
  readonly have: Uint8Array;
  /** `have` as bits, 32 pieces a word. */
  readonly haveBits: Uint32Array;
  haveCount = 0;
  /** Copies of each piece among our connections (local availability, for rarest first). */
  readonly availability: Uint16Array;
  /**
   * Which connections have each piece: a bit per connection slot, `slotWords` 32-bit words
   * per piece, rows by piece. One small array per peer instead of a byte array per
   * connection, and the holders of a piece sit together (a verified piece updates only them).
   */
  holders: Uint32Array;
  slotWords = 1;
  /**
   * The same facts the other way round: for each connection slot, a row of `pieceWords`
   * words with a bit per piece it has. The picker ANDs a row with what we lack and have
   * not started to visit only the pieces it could ask for, rather than testing every piece.
   */
  slotPieces: Uint32Array;
  readonly pieceWords: number;
  /** The connection in each slot (undefined: free). */
  private slotConn: (Connection | undefined)[] = [];
  private freeSlots: number[] = [];
  readonly partial: PartialPieces;
  readonly connections = new Map<PeerId, Connection>();
  /** Next connection's opening order number. */
  nextSeq = 0;
  /** Rechoke periods so far (the received-bytes windows count in these). */
  chokeRound = 0;
  /**
   * Subsets of `connections`, each in opening order, kept as flags change so that choking,
   * requesting and interest work costs the connections involved, not all of them: peers
   * interested in us, peers not choking us, peers we do not choke.
   */
  interestedPeers: Connection[] = [];
  unchokedBy: Connection[] = [];
  unchoking: Connection[] = [];
  /** Handshakes we sent and wait for. */
  readonly connecting = new Set<PeerId>();
  /** Connections we opened (counted against maxInitiate). */
  initiated = 0;
  /** Peers the tracker named that we have not tried yet. */
  candidates: PeerId[] = [];
  /** Failed pieces each peer contributed to; banned peers are never connected again. */
  readonly strikes = new Map<PeerId, number>();
  readonly banned = new Set<PeerId>();
  /** Online and taking part in the swarm (false before its arrival and after it left the swarm). */
  active = false;
  /** Left the swarm for good (after completion, by policy). */
  left = false;
  /** The download under way (-1: none). */
  download = -1;
  downloadStartMs = NaN;
  /** When it got the last piece (NaN: not yet, or an initial seed). */
  completedMs = NaN;
  /** Optimistic unchokes now, and when they were last rotated. */
  optimistic: PeerId[] = [];
  optimisticRotatedMs = -Infinity;
  lastAnnounceMs = -Infinity;
  /** Pieces verified and not yet announced (haveInterval > 0). */
  pendingHaves: number[] = [];
  /** Time each peer spent in our optimistic slot, summed over connections (ms). */
  readonly optimisticGiven = new Map<PeerId, number>();
  uploadedBytes = 0;
  downloadedBytes = 0;
  /** Piece completion times (ms), when this peer is in the piece map. */
  pieceTimes: Float64Array | undefined;

  constructor(
    readonly peer: PeerId,
    readonly pieces: number,
    /** "seed" (an initial seed), "free-rider", "malicious" or "leecher". */
    readonly kind: "seed" | "free-rider" | "malicious" | "leecher",
  ) {
    this.have = new Uint8Array(pieces);
    this.pieceWords = (pieces + 31) >> 5;
    this.haveBits = new Uint32Array(this.pieceWords);
    this.partial = new PartialPieces(pieces);
    this.availability = new Uint16Array(pieces);
    this.holders = new Uint32Array(pieces);
    this.slotPieces = new Uint32Array(32 * this.pieceWords);
  }

  /** Gives `c` a slot in `holders`. */
  attach(c: Connection): void {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slotConn.length;
    if (slot >= 32 * this.slotWords) this.widen();
    this.slotConn[slot] = c;
    c.slot = slot;
  }

  /** Frees `c`'s slot, taking its pieces off the local availability. */
  detach(c: Connection): void {
    const w = c.slot >> 5;
    const bit = 1 << (c.slot & 31);
    const holders = this.holders;
    const stride = this.slotWords;
    const availability = this.availability;
    for (let p = 0, i = w; p < this.pieces; p++, i += stride) {
      if ((holders[i]! & bit) !== 0) {
        holders[i] = holders[i]! & ~bit;
        availability[p]!--;
      }
    }
    this.slotPieces.fill(0, c.slot * this.pieceWords, (c.slot + 1) * this.pieceWords);
    this.slotConn[c.slot] = undefined;
    this.freeSlots.push(c.slot);
    c.slot = -1;
  }

  /** Forgets every connection's pieces (the connections are gone). */
  detachAll(): void {
    this.holders.fill(0);
    this.slotPieces.fill(0);
    this.availability.fill(0);
    this.slotConn = [];
    this.freeSlots = [];
  }

  /** Whether `c`'s peer has `piece`. */
  has(c: Connection, piece: number): boolean {
    return (this.holders[piece * this.slotWords + (c.slot >> 5)]! & (1 << (c.slot & 31))) !== 0;
  }

  /** Whether `c`'s peer has every one of `pieces`. */
  hasAll(c: Connection, pieces: readonly number[]): boolean {
    for (let i = 0; i < pieces.length; i++) if (!this.has(c, pieces[i]!)) return false;
    return true;
  }

  /** Records that `c`'s peer has `piece`. */
  setHas(c: Connection, piece: number): void {
    this.holders[piece * this.slotWords + (c.slot >> 5)]! |= 1 << (c.slot & 31);
    this.slotPieces[c.slot * this.pieceWords + (piece >> 5)]! |= 1 << (piece & 31);
  }

  /**
   * `c`'s peer has each of `pieces` (a batch of HAVEs; from `from` to before `to`): the hot loop of batched HAVEs, with
   * the connection's column read once. Updates local availability and how many pieces we want from it.
   */
  learn(c: Connection, pieces: ArrayLike<number>, from = 0, to = pieces.length): void {
    c.wanted += this.learnSlot(c.slot, pieces, from, to);
  }

  /** `learn` for the connection in `slot`; returns how many of the pieces are new and lacked by us. */
  learnSlot(slot: number, pieces: ArrayLike<number>, from: number, to: number): number {
    const n = this.pieces;
    const holders = this.holders;
    const stride = this.slotWords;
    const word = slot >> 5;
    const bit = 1 << (slot & 31);
    const have = this.have;
    const availability = this.availability;
    const row = this.slotPieces;
    const rowStart = slot * this.pieceWords;
    let wanted = 0;
    for (let i = from; i < to; i++) {
      const piece = pieces[i]!;
      if (piece < 0 || piece >= n) continue;
      const at = piece * stride + word;
      const held = holders[at]!;
      if ((held & bit) !== 0) continue;
      holders[at] = held | bit;
      row[rowStart + (piece >> 5)]! |= 1 << (piece & 31);
      availability[piece]!++;
      if (have[piece] === 0) wanted++;
    }
    return wanted;
  }

  /** Whether the peer in `slot` has, as far as we know, a piece we lack (`wantedFrom` > 0, sooner). */
  wantsFrom(slot: number): boolean {
    const row = this.slotPieces;
    const start = slot * this.pieceWords;
    const haveBits = this.haveBits;
    for (let w = 0; w < this.pieceWords; w++) if ((row[start + w]! & ~haveBits[w]!) !== 0) return true;
    return false;
  }

  /** Pieces the peer in `slot` has, as far as we know, that we lack: what `Connection.wanted` counts, from scratch. */
  wantedFrom(slot: number): number {
    const row = this.slotPieces;
    const start = slot * this.pieceWords;
    const haveBits = this.haveBits;
    let wanted = 0;
    for (let w = 0; w < this.pieceWords; w++) {
      const lacked = row[start + w]! & ~haveBits[w]!;
      if (lacked !== 0) wanted += popCount(lacked);
    }
    return wanted;
  }

  /** `c`'s peer has the pieces set in `bits` (its bitfield, 32 pieces a word), as `learn` records them. */
  learnBits(c: Connection, bits: Uint32Array): void {
    const holders = this.holders;
    const stride = this.slotWords;
    const word = c.slot >> 5;
    const bit = 1 << (c.slot & 31);
    const availability = this.availability;
    const row = this.slotPieces;
    const rowStart = c.slot * this.pieceWords;
    let wanted = c.wanted;
    for (let w = 0; w < this.pieceWords; w++) {
      let fresh = bits[w]! & ~row[rowStart + w]!;
      if (fresh === 0) continue;
      row[rowStart + w]! |= fresh;
      wanted += popCount(fresh & ~this.haveBits[w]!);
      while (fresh !== 0) {
        const low = fresh & -fresh;
        fresh ^= low;
        const piece = 32 * w + 31 - Math.clz32(low);
        holders[piece * stride + word]! |= bit;
        availability[piece]!++;
      }
    }
    c.wanted = wanted;
  }

  /** Calls `visit` for each connection whose peer has `piece`, in slot order. */
  forEachHolder(piece: number, visit: (c: Connection) => void): void {
    const stride = this.slotWords;
    const row = piece * stride;
    for (let w = 0; w < stride; w++) {
      let bits = this.holders[row + w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        visit(this.slotConn[32 * w + 31 - Math.clz32(low)]!);
      }
    }
  }

  /** Doubles the slots per piece row. */
  private widen(): void {
    const old = this.holders;
    const oldWords = this.slotWords;
    const words = 2 * oldWords;
    const wider = new Uint32Array(this.pieces * words);
    for (let p = 0; p < this.pieces; p++) for (let w = 0; w < oldWords; w++) wider[p * words + w] = old[p * oldWords + w]!;
    this.holders = wider;
    this.slotWords = words;
    const rows = new Uint32Array(32 * words * this.pieceWords);
    rows.set(this.slotPieces);
    this.slotPieces = rows;
  }

  get complete(): boolean {
    return this.haveCount === this.pieces;
  }

  /** We have verified `piece`. */
  gotPiece(piece: number): void {
    this.have[piece] = 1;
    this.haveBits[piece >> 5]! |= 1 << (piece & 31);
    this.haveCount++;
  }

  fill(): void {
    this.have.fill(1);
    for (let p = 0; p < this.pieces; p++) this.haveBits[p >> 5]! |= 1 << (p & 31);
    this.haveCount = this.pieces;
  }

  /**
   * Forgets what the session knew beyond its connections: connection attempts, tracker
   * candidates, availability, started pieces (bytes and all, as their blocks) and optimistic
   * slots. The pieces it has stay.
   */
  endSession(): void {
    this.connecting.clear();
    this.initiated = 0;
    this.candidates = [];
    this.detachAll();
    this.partial.clear();
    this.optimistic = [];
    this.optimisticRotatedMs = -Infinity;
  }

  /**
   * A rechoke's connections that may change, in connection order: those unchoked now, then
   * those chosen in `unchoke` that are choked (`unchoking` is reused for the list; the caller
   * replaces it with the new unchoked list).
   */
  rechokeOrder(unchoke: ReadonlySet<PeerId>): Connection[] {
    const changing = this.unchoking;
    const already = changing.length;
    for (const peer of unchoke) {
      const c = this.connections.get(peer)!;
      if (c.amChoking) changing.push(c);
    }
    if (changing.length > already) changing.sort((a, b) => a.seq - b.seq);
    return changing;
  }

  /** Ends the optimistic unchoke of `c` at `nowMs`, adding how long it lasted to `optimisticGiven`. */
  endOptimistic(c: Connection, nowMs: number): void {
    if (Number.isNaN(c.optimisticSince)) return;
    this.optimisticGiven.set(c.peer, (this.optimisticGiven.get(c.peer) ?? 0) + nowMs - c.optimisticSince);
    c.optimisticSince = NaN;
  }
}

/**
 * A peer's state on its first join, as both swarm drivers (events and rounds) make it: a seed
 * holds every piece; a leecher records its piece times while the piece map (`mapped`, up to
 * `mapLimit` peers) has room.
 */
export function firstJoinState(peer: PeerId, pieces: number, kind: PeerState["kind"], mapped: PeerId[], mapLimit: number): PeerState {
  const state = new PeerState(peer, pieces, kind);
  if (kind === "seed") state.fill();
  else if (mapped.length < mapLimit) {
    mapped.push(peer);
    state.pieceTimes = new Float64Array(pieces).fill(-1);
  }
  return state;
}

/** Set bits in a 32-bit word. */
export function popCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
