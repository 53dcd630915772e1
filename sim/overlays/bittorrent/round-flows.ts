import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { FlowRates } from "./flow-rates.js";
import type { BittorrentMessage } from "./messages.js";
import type { PartialPool } from "./partial-pool.js";
import type { PiecePicker } from "./picker.js";
import type { FlowConnection } from "./round-swarm.js";
import type { Connection, PartialPiece, PeerState } from "./state.js";
import type { Torrent } from "./torrent.js";

/** What the swarm does when a flow completes a piece. */
export interface PieceOutcomes {
  /** `state` verified `piece`; its last byte came at `atMs`. */
  pieceDone(state: PeerState, piece: number, atMs: number): void;
  /** A piece `state` completed failed its hash check; `senders` contributed to it. */
  pieceFailed(state: PeerState, senders: readonly PeerId[]): void;
}

/** A piece this close to complete (bytes) is complete: rates times round lengths are not exact in floating point. */
const BYTE_SLACK = 1e-6;

/**
 * One round of execution: rounds. Every unchoked connection whose downloader
 * is interested is a flow, if the downloader can pick a piece from it; one
 * max-min solve (FlowRates) over every peer's upload and download capacity
 * gives each flow its rate for the round, and the flow moves rate × round
 * bytes into its piece, going on to the next piece it picks when one
 * completes, at the time inside the round its last byte came. A piece keeps
 * the bytes it has when its flow stops (a choke, a closed connection), and
 * the picker's strict priority has another uploader finish it; in end game
 * two flows may feed one piece, and their bytes add up, as blocks from two
 * peers would.
 */
export class RoundFlows {
  private upCapacity = new Float64Array(64);
  private downCapacity = new Float64Array(64);
  private peers = 0;
  private up = new Int32Array(64);
  private down = new Int32Array(64);
  private rate = new Float64Array(64);
  private readonly conns: FlowConnection[] = [];
  /** Who contributed to each piece matters only to ban tamperers. */
  private readonly trackSenders: boolean;
  private readonly solver = new FlowRates();
  /** Rounds that moved bytes, and flows over all of them (for the bench). */
  rounds = 0;
  flowsSolved = 0;

  constructor(
    private readonly ctx: OverlayContext<BittorrentMessage>,
    private readonly torrent: Torrent,
    private readonly picker: PiecePicker,
    private readonly partials: PartialPool,
    private readonly roundMs: number,
    private readonly states: readonly (PeerState | undefined)[],
    private readonly outcomes: PieceOutcomes,
  ) {
    this.trackSenders = ctx.adversary.active;
  }

  /** `state` takes part, with these capacities (bytes per ms). */
  attach(state: PeerState, capacity: { readonly upload: number; readonly download: number }): void {
    const peer = state.peer;
    if (peer >= this.upCapacity.length) {
      const n = Math.max(peer + 1, 2 * this.upCapacity.length);
      const up = new Float64Array(n);
      up.set(this.upCapacity);
      this.upCapacity = up;
      const down = new Float64Array(n);
      down.set(this.downCapacity);
      this.downCapacity = down;
    }
    this.peers = Math.max(this.peers, peer + 1);
    this.upCapacity[peer] = capacity.upload;
    this.downCapacity[peer] = capacity.download;
  }

  /** `peer`'s upload capacity (bytes per ms), as it was when it last took part. */
  uploadCapacity(peer: PeerId): number {
    return this.upCapacity[peer]!;
  }

  /** The request on `c` (the downloader `state`'s connection) will not be served: its piece may be picked again. */
  release(state: PeerState, c: Connection): void {
    if (c.outstanding.length === 0) return;
    c.outstanding.length = 0;
    const partial = (c as FlowConnection).requested;
    (c as FlowConnection).requested = undefined;
    if (!partial) return;
    const piece = partial.piece;
    if (partial.requested[0]! > 0 && --partial.requested[0]! === 0) {
      partial.unrequested = 1;
      if (partial.bytes === 0) {
        state.partial.delete(piece);
        this.partials.give(partial);
      }
    }
  }

  /** The round that starts at `now`. */
  run(now: number): void {
    const count = this.collect();
    if (count === 0) return;
    this.rounds++;
    this.flowsSolved += count;
    this.solver.solve(count, this.up, this.down, this.peers, this.upCapacity, this.downCapacity, this.rate);
    let seedBytes = 0;
    let peerBytes = 0;
    for (let f = 0; f < count; f++) {
      const uploader = this.states[this.up[f]!]!;
      const moved = this.move(this.states[this.down[f]!]!, uploader, this.conns[f]!, this.rate[f]!, now);
      if (moved === 0) continue;
      uploader.uploadedBytes += moved;
      this.ctx.flowed?.(uploader.peer, moved);
      if (uploader.kind === "seed") seedBytes += moved;
      else peerBytes += moved;
    }
    this.conns.length = 0;
    if (seedBytes > 0) this.ctx.count("seedUploadBytes", seedBytes);
    if (peerBytes > 0) this.ctx.count("peerUploadBytes", peerBytes);
  }

  /** The flows of this round, in uploader order and each uploader's unchoke order; their count. */
  private collect(): number {
    let count = 0;
    for (const uploader of this.states) {
      if (uploader === undefined || !uploader.active) continue;
      for (const c of uploader.unchoking) {
        const downloader = this.states[c.peer]!;
        const m = (c as FlowConnection).mirror;
        if (downloader.complete) continue;
        if (m.outstanding.length === 0 && this.pick(downloader, m) < 0) continue;
        if (count === this.up.length) this.grow();
        this.up[count] = uploader.peer;
        this.down[count] = downloader.peer;
        this.conns[count] = m;
        count++;
      }
    }
    return count;
  }

  /** Asks the picker for the next piece from `c`'s peer and requests it; −1: none (so we are not interested). */
  private pick(state: PeerState, c: FlowConnection): number {
    // The count the picker relies on, which rounds do not keep up to date between picks.
    c.wanted = state.wantedFrom(c.slot);
    if (c.wanted === 0) return -1;
    const piece = this.picker.next(state, c);
    if (piece < 0) return -1;
    if (this.picker.endGamePick) this.ctx.count("endGameRequests");
    c.outstanding.push(piece);
    c.requested = state.partial.get(piece)!;
    return piece;
  }

  /** Moves one flow's bytes for the round; returns how many moved. */
  private move(state: PeerState, uploader: PeerState, c: FlowConnection, rate: number, now: number): number {
    // A piece failed earlier in this round may have closed the connection (a closed one has no slot).
    if (!state.active || c.slot < 0 || rate <= 0) return 0;
    const torrent = this.torrent;
    let budget = rate * this.roundMs;
    let atMs = now;
    let moved = 0;
    while (budget > 0 && !state.complete) {
      const piece = c.outstanding.length > 0 ? c.outstanding[0]! : this.pick(state, c);
      if (piece < 0) break;
      const partial = c.requested!;
      if (this.trackSenders) {
        if (!partial.senders.includes(uploader.peer)) partial.senders.push(uploader.peer);
        partial.corrupt ||= uploader.kind === "malicious";
      }
      const need = torrent.pieceLength(piece) - partial.bytes;
      if (budget + BYTE_SLACK < need) {
        partial.bytes += budget;
        moved += budget;
        break;
      }
      budget -= need;
      moved += need;
      atMs += need / rate;
      partial.bytes = 0;
      c.outstanding.length = 0;
      c.requested = undefined;
      this.finish(state, partial, Math.min(atMs, now + this.roundMs));
      if (c.slot < 0) break;
    }
    if (moved > 0) {
      state.downloadedBytes += moved;
      c.rollTo(state.chokeRound);
      c.receivedNow += moved;
      c.lastBlockMs = now;
      c.lastHeardMs = now;
    }
    return moved;
  }

  /** Every byte of `partial` is in (its flow's request is done): no other flow asks for it any more, and its hash is checked. */
  private finish(state: PeerState, partial: PartialPiece, atMs: number): void {
    const piece = partial.piece;
    state.partial.delete(piece);
    // End game: the other requests for it, on other connections, are void.
    let copies = partial.requested[0]! - 1;
    if (copies > 0) {
      for (const c of state.connections.values()) {
        if (c.outstanding.length > 0 && c.outstanding[0] === piece) {
          c.outstanding.length = 0;
          (c as FlowConnection).requested = undefined;
          if (--copies === 0) break;
        }
      }
    }
    if (partial.corrupt) this.outcomes.pieceFailed(state, partial.senders);
    else this.outcomes.pieceDone(state, piece, atMs);
    this.partials.give(partial);
  }

  private grow(): void {
    const n = 2 * this.up.length;
    const up = new Int32Array(n);
    up.set(this.up);
    this.up = up;
    const down = new Int32Array(n);
    down.set(this.down);
    this.down = down;
    this.rate = new Float64Array(n);
  }
}
