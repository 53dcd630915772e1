import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { BlockTree } from "./chain.js";
import { HolderPairs } from "./holder-pairs.js";
import { CONNECTED, Knowledge, ORPHAN, REQUESTED, UNKNOWN, VERIFYING } from "./knowledge.js";
import {
  blockchainMessageTypes,
  type BlockchainMessage,
  type BlockMessage,
  type BlockTxnMessage,
  type CompactBlockMessage,
  type GetBlockTxnMessage,
  type GetDataMessage,
  type GetHeadersMessage,
  type HeadersMessage,
  type InvMessage,
} from "./messages.js";
import type { BlockchainOptions } from "./options.js";
import { RequestTimers } from "./request-timers.js";
import type { Topology } from "./topology.js";

/**
 * How a block moves from node to node, and what a node does with it: verify
 * (one block at a time per node: verifyBase + verifyPerKB per kB), connect it
 * to its tree, switch to the longest chain (first seen wins a tie, as in
 * Bitcoin Core), and announce its new tip to its neighbours. Only a node's new
 * best block is relayed, so a block that loses a tie stops where it lost.
 *
 * With network.bandwidth a block's bytes move as a transfer over both ends'
 * links (sim/network/carriers); without it a block takes the latency only.
 */
export class Relay {
  /** A node connected a block and switched tips from `before` (`reorgDepth` blocks abandoned, 0 for an extension). */
  onTip: (node: PeerId, block: number, reorgDepth: number, before: number) => void = () => {};
  /** `node` connected `block` to its tree. */
  onConnect: (node: PeerId, block: number) => void = () => {};
  /** May `node` relay `block`? (A selfish pool keeps honest blocks to itself, and private ones.) */
  mayRelay: (node: PeerId, block: number) => boolean = () => true;
  /** Does `node` withhold blocks from `to`? (Eclipsing nodes starve their victims.) Unset: nobody withholds. */
  withholds: ((node: PeerId, to: PeerId) => boolean) | undefined;
  /**
   * With transaction relay: how many of `block`'s transactions `node` lacks,
   * which decides whether a compact block needs a round trip. Unset: the
   * fixed compactMiss probability stands in for mempools.
   */
  missingTxs: ((node: PeerId, block: number) => number) | undefined;
  /** Block data carried as a transfer (network.bandwidth) arrived: its bytes, for traffic shares. Unset: nobody tallies. */
  carried: ((bytes: number) => void) | undefined;
  /**
   * One inv per block, sent to every neighbour: messages are read, never
   * changed, on their way, and an inv is most of what a block's spread sends
   * (each node announces to all its neighbours), so sharing it spares the
   * garbage collector an object per announcement.
   */
  private readonly invs: (InvMessage | undefined)[] = [];
  /** Likewise one single-header announcement per block (relay mode "headers"). */
  private readonly headers: (HeadersMessage | undefined)[] = [];
  /** And one request for a single block per block: nearly every node asks for each block once. */
  private readonly getdatas: (GetDataMessage | undefined)[] = [];
  /** And one block message per block: every node is sent every block (its size never changes once mined). */
  private readonly blockMessages: (BlockMessage | undefined)[] = [];
  /** The blocks `connect` has yet to connect. */
  private readonly connecting: number[] = [];
  /**
   * Per node: the neighbours known to have a block the node has not connected
   * yet, because they announced it or sent it, as flat pairs [block,
   * neighbour, …]. A node does not announce a block to a neighbour known to
   * have it, as Bitcoin Core does not (it keeps each peer's best known
   * header); without this nearly every link would carry each block's
   * announcement both ways. The same pairs say whom to ask next when a
   * request fails (as Core downloads a block from any peer that announced
   * it). Pairs go once the node has connected their block.
   */
  private readonly haveIt = new HolderPairs();
  /**
   * Marks for `announce`: holderMark[n] === markNow while n is a neighbour
   * known to have the block being announced. One pass over the announcer's
   * pairs then answers every neighbour, where a scan of them per neighbour
   * cost neighbours × pairs (about 16 × 16) per node and block.
   */
  private holderMark = new Int32Array(64);
  private markNow = 0;
  /** Each node's latest block request timeout, cancelled when its block arrives. */
  private readonly requestTimers = new RequestTimers();

  constructor(
    private readonly ctx: OverlayContext<BlockchainMessage>,
    private readonly options: BlockchainOptions,
    private readonly tree: BlockTree,
    private readonly known: Knowledge,
    private readonly topology: Topology,
    private readonly bytesOf: (block: number) => number,
    private readonly txsOf: (block: number) => number,
  ) {}

  /** Tells `node`'s neighbours (but `except`) about `block`, in the relay mode's way. */
  announce(node: PeerId, block: number, except: PeerId): void {
    const neighbours = this.topology.neighbours[node];
    if (!neighbours || !this.mayRelay(node, block)) return;
    const broadcast = this.tree.broadcast[block]!;
    const withholds = this.withholds;
    const mode = this.options.relay.mode;
    const mark = this.markHolders(node, block);
    const marks = this.holderMark;
    if (mode === "inv" || mode === "headers") {
      const announcement = this.announcementFor(block);
      for (const to of neighbours) {
        if (to === except || (withholds !== undefined && withholds(node, to)) || marks[to] === mark) continue;
        this.ctx.send(node, to, announcement);
      }
      return;
    }
    for (const to of neighbours) {
      if (to === except || (withholds !== undefined && withholds(node, to)) || marks[to] === mark) continue;
      switch (mode) {
        case "push":
          this.sendBlock(node, to, block);
          break;
        case "compact": {
          const msg: CompactBlockMessage = { type: "cmpctblock", block, broadcast, txs: this.txsOf(block) };
          this.carry(node, to, msg, this.compactArrived);
          break;
        }
      }
    }
  }

  /** Two nodes just connected: each tells the other its best block, so a returning node catches up. */
  greet(a: PeerId, b: PeerId): void {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const tip = this.known.tip[from]!;
      if (tip !== 0 && this.mayRelay(from, tip) && !this.withholdsFrom(from, to)) this.ctx.send(from, to, this.announcementFor(tip));
    }
  }

  /** `neighbour` told `node` about `block` or sent it: `node` will not announce it there. */
  private heard(node: PeerId, neighbour: PeerId, block: number): void {
    if (this.known.state(block, node) !== CONNECTED) this.haveIt.push(node, block, neighbour);
  }

  /**
   * Marks the neighbours `node` knows to have `block` with a fresh mark, and
   * returns it: holderMark[n] === mark for exactly those. The marks cover
   * every peer with a neighbour list, so every neighbour.
   */
  private markHolders(node: PeerId, block: number): number {
    const peers = this.topology.neighbours.length;
    if (peers > this.holderMark.length) this.growMarks(peers);
    if (this.markNow === 0x7fffffff) {
      this.holderMark.fill(0);
      this.markNow = 0;
    }
    const mark = ++this.markNow;
    const pairs = this.haveIt;
    const data = pairs.data;
    const marks = this.holderMark;
    const start = pairs.start(node);
    const end = start + 2 * pairs.size(node);
    for (let i = start; i < end; i += 2) {
      const n = data[i + 1]!;
      if (data[i] === block && n < marks.length) marks[n] = mark;
    }
    return mark;
  }

  private growMarks(peers: number): void {
    let size = this.holderMark.length;
    while (size < peers) size *= 2;
    const marks = new Int32Array(size);
    marks.set(this.holderMark);
    this.holderMark = marks;
  }

  /**
   * `node`'s request for `block` from `provider` failed (the provider left,
   * or the block did not come in time): ask the first other neighbour known
   * to have it, if any. The provider's pair goes, so two failing neighbours
   * are not asked in turn forever.
   */
  private askElsewhere(node: PeerId, block: number, provider: PeerId): void {
    const neighbours = this.topology.neighbours[node];
    if (neighbours === undefined) return;
    const pairs = this.haveIt;
    const data = pairs.data;
    const start = pairs.start(node);
    const end = start + 2 * pairs.size(node);
    let next: PeerId = -1;
    let kept = start;
    for (let i = start; i < end; i += 2) {
      const b = data[i]!;
      const n = data[i + 1]!;
      if (b === block && n === provider) continue;
      if (b === block && next < 0 && neighbours.includes(n)) next = n;
      data[kept++] = b;
      data[kept++] = n;
    }
    pairs.setSize(node, (kept - start) / 2);
    if (next >= 0) {
      this.ctx.count("blockRequestsRetried");
      this.request(node, next, block);
    }
  }

  /** Drops the pairs of the blocks `node` has connected (and so has announced, if it ever will). */
  private forgetConnected(node: PeerId): void {
    const pairs = this.haveIt;
    const data = pairs.data;
    const start = pairs.start(node);
    const end = start + 2 * pairs.size(node);
    let kept = start;
    for (let i = start; i < end; i += 2) {
      if (this.known.state(data[i]!, node) === CONNECTED) continue;
      data[kept++] = data[i]!;
      data[kept++] = data[i + 1]!;
    }
    pairs.setSize(node, (kept - start) / 2);
  }

  /** `node` went offline: what it knew of its neighbours' blocks goes with its connections. */
  left(node: PeerId): void {
    this.haveIt.clear(node);
    this.requestTimers.clear(node);
  }

  private withholdsFrom(node: PeerId, to: PeerId): boolean {
    return this.withholds !== undefined && this.withholds(node, to);
  }

  /** The announcement of `block` (an inv, or its header), made once its broadcast id is known (blocks are announced only once public). */
  private announcementFor(block: number): InvMessage | HeadersMessage {
    const headers = this.options.relay.mode === "headers";
    const cached = headers ? this.headers[block] : this.invs[block];
    if (cached !== undefined) return cached;
    const broadcast = this.tree.broadcast[block]!;
    if (headers) {
      const msg: HeadersMessage = { type: "headers", block, broadcast, count: 1 };
      if (broadcast >= 0) this.headers[block] = msg;
      return msg;
    }
    const inv: InvMessage = { type: "inv", block, broadcast };
    if (broadcast >= 0) this.invs[block] = inv;
    return inv;
  }

  /** The request for `block` alone, shared once its broadcast id is known, as announcements are. */
  private getdataFor(block: number): GetDataMessage {
    const cached = this.getdatas[block];
    if (cached !== undefined) return cached;
    const broadcast = this.tree.broadcast[block]!;
    const msg: GetDataMessage = { type: "getdata", block, broadcast };
    if (broadcast >= 0) this.getdatas[block] = msg;
    return msg;
  }

  /**
   * Headers relay (BIP 130): the header tells the receiver the block's
   * parent, so it knows at once which blocks of that chain it lacks. One
   * missing block is fetched as after an inv; more, and the announcement's
   * headers do not reach a block the node has, so it first asks for the
   * missing headers (getheaders, one round trip) and then for every missing
   * block in one getdata — instead of discovering the gap one orphan, and one
   * round trip, at a time as inv relay does.
   */
  onHeaders(to: PeerId, from: PeerId, msg: HeadersMessage): void {
    const block = msg.block;
    this.heard(to, from, block);
    if (this.known.state(block, to) !== UNKNOWN) {
      this.ctx.count("duplicateAnnouncements");
      return;
    }
    const missing: number[] = [];
    for (let b = block; this.known.state(b, to) === UNKNOWN; b = this.tree.parent[b]!) missing.push(b);
    if (missing.length > msg.count) {
      this.ctx.send(to, from, { type: "getheaders", block, broadcast: msg.broadcast, count: missing.length });
      return;
    }
    missing.reverse();
    for (const b of missing) this.awaitBlock(to, b, from);
    this.ctx.send(to, from, { type: "getdata", block, broadcast: msg.broadcast, blocks: missing });
  }

  /** A neighbour lacks headers down from `block`: send them if we have the block. */
  onGetHeaders(to: PeerId, from: PeerId, msg: GetHeadersMessage): void {
    const s = this.known.state(msg.block, to);
    if ((s === CONNECTED || s === ORPHAN) && !this.withholdsFrom(to, from)) {
      this.ctx.send(to, from, { type: "headers", block: msg.block, broadcast: msg.broadcast, count: msg.count });
    }
  }

  onInv(to: PeerId, from: PeerId, block: number): void {
    this.heard(to, from, block);
    if (this.known.state(block, to) !== UNKNOWN) {
      this.ctx.count("duplicateAnnouncements");
      return;
    }
    this.request(to, from, block);
  }

  /** Asks `from` for `block`, and forgets having asked if it does not come in time. */
  private request(node: PeerId, from: PeerId, block: number): void {
    this.known.set(block, node, REQUESTED);
    this.ctx.send(node, from, this.getdataFor(block));
    this.expectWithin(node, block, from);
  }

  /** `node` is about to ask `from` for `block` in a getdata of several. */
  private awaitBlock(node: PeerId, block: number, from: PeerId): void {
    this.known.set(block, node, REQUESTED);
    this.expectWithin(node, block, from);
  }

  /** Forgets having asked `from` for `block` if it does not come within the request timeout, and asks elsewhere. */
  private expectWithin(node: PeerId, block: number, from: PeerId): void {
    // One timer per block request: setTimerWith, with one function for all, allocates nothing per timer.
    const handle = this.ctx.setTimerWith(node, this.options.relay.requestTimeout, this.requestExpired, block, from);
    this.requestTimers.set(node, block, handle);
  }

  private readonly requestExpired = (node: PeerId, block: number, from: PeerId): void => {
    if (this.known.state(block, node) === REQUESTED) {
      this.known.set(block, node, UNKNOWN);
      this.ctx.count("blockRequestsTimedOut");
      this.askElsewhere(node, block, from);
    }
  };

  onGetData(to: PeerId, from: PeerId, msg: GetDataMessage): void {
    if (msg.blocks === undefined) {
      this.serve(to, from, msg.block);
      return;
    }
    for (const block of msg.blocks) this.serve(to, from, block);
  }

  private serve(node: PeerId, to: PeerId, block: number): void {
    const s = this.known.state(block, node);
    if ((s === CONNECTED || s === ORPHAN) && !this.withholdsFrom(node, to)) this.sendBlock(node, to, block);
  }

  private sendBlock(from: PeerId, to: PeerId, block: number): void {
    const bytes = this.bytesOf(block);
    this.ctx.count("blockBytesSent", bytes);
    let msg = this.blockMessages[block];
    if (msg === undefined) {
      msg = { type: "block", block, broadcast: this.tree.broadcast[block]!, bytes };
      if (msg.broadcast >= 0) this.blockMessages[block] = msg;
    }
    this.carry(from, to, msg, this.blockArrived);
  }

  private readonly cancelTimer = (handle: number): void => this.ctx.cancelTimerWith(handle);

  // What `carry` calls when block data arrives: one function each, so a transfer needs no closure of its own for it.
  private readonly blockArrived = (to: PeerId, from: PeerId, msg: BlockMessage): void => this.onBlock(to, from, msg.block);
  private readonly compactArrived = (to: PeerId, from: PeerId, msg: CompactBlockMessage): void => this.onCompact(to, from, msg);
  private readonly blockTxnArrived = (to: PeerId, from: PeerId, msg: BlockTxnMessage): void => this.onBlockTxn(to, from, msg);

  /**
   * Sends block data: with network.bandwidth as a transfer over both ends'
   * links (its bytes then count in the bandwidth figures, not in the
   * broadcast's message traffic), otherwise as a message that takes the
   * latency only.
   */
  private carry<T extends BlockMessage | CompactBlockMessage | BlockTxnMessage>(from: PeerId, to: PeerId, msg: T, arrived: (to: PeerId, from: PeerId, msg: T) => void): void {
    if (!this.ctx.bandwidth) {
      this.ctx.send(from, to, msg);
      return;
    }
    const size = blockchainMessageTypes[msg.type].bytes as (m: T) => number;
    const bytes = size(msg);
    const carried = this.carried;
    const done = () => {
      carried?.(bytes);
      arrived(to, from, msg);
    };
    this.ctx.transfer(from, to, bytes, done, () => {
      if (this.known.state(msg.block, to) !== REQUESTED) return;
      this.known.set(msg.block, to, UNKNOWN);
      // Cut short because the sender left: ask another neighbour that has it. Not when `to` itself
      // left or crashed: a timer of `to` fires only while its session lasts (a crash cuts the
      // transfers before the overlay hears of it, so `to` may still look online here).
      if (this.topology.online(to)) this.ctx.setTimer(to, 0, () => this.askElsewhere(to, msg.block, from));
    });
  }

  onBlock(to: PeerId, from: PeerId, block: number): void {
    this.heard(to, from, block);
    const s = this.known.state(block, to);
    if (s >= VERIFYING) {
      this.ctx.count("duplicateBlocks");
      return;
    }
    this.verify(to, from, block);
  }

  onCompact(to: PeerId, from: PeerId, msg: CompactBlockMessage): void {
    const block = msg.block;
    this.heard(to, from, block);
    if (this.known.state(block, to) !== UNKNOWN) {
      this.ctx.count("duplicateAnnouncements");
      return;
    }
    const relay = this.options.relay;
    const lacking = this.missingTxs?.(to, block);
    if (lacking === undefined ? this.ctx.rng.next() < relay.compactMiss : lacking > 0) {
      // Some transactions were not in the receiver's mempool: one more round trip for them.
      const missing = lacking ?? Math.max(1, Math.ceil(relay.compactMissingShare * msg.txs));
      this.known.set(block, to, REQUESTED);
      this.ctx.count("compactRoundTrips");
      this.ctx.send(to, from, { type: "getblocktxn", block, broadcast: msg.broadcast, missing });
      return;
    }
    this.verify(to, from, block);
  }

  onGetBlockTxn(to: PeerId, from: PeerId, msg: GetBlockTxnMessage): void {
    const carried = this.txsOf(msg.block);
    const bytes = carried > 0 ? Math.round((msg.missing / carried) * this.bytesOf(msg.block)) : 0;
    const answer: BlockTxnMessage = { type: "blocktxn", block: msg.block, broadcast: msg.broadcast, bytes };
    this.carry(to, from, answer, this.blockTxnArrived);
  }

  onBlockTxn(to: PeerId, from: PeerId, msg: BlockTxnMessage): void {
    if (this.known.state(msg.block, to) !== REQUESTED) return;
    this.verify(to, from, msg.block);
  }

  /** Verification takes the node's CPU for verifyBase + verifyPerKB per kB, one block after another. */
  private verify(node: PeerId, from: PeerId, block: number): void {
    this.known.set(block, node, VERIFYING);
    // The block is here: its request timeouts would find nothing to do.
    this.requestTimers.arrived(node, block, this.cancelTimer);
    const now = this.ctx.now();
    const cost = this.options.verifyBase + (this.options.verifyPerKB * this.bytesOf(block)) / 1000;
    const done = Math.max(now, this.known.busyUntil[node]!) + cost;
    this.known.busyUntil[node] = done;
    this.ctx.setTimerWith(node, done - now, this.verified, from, block);
  }

  /** `node` has verified `block` (from `from`): connect it, or keep it as an orphan and ask for its parent. A timer's function, hence the arrow. */
  private readonly verified = (node: PeerId, from: PeerId, block: number): void => {
    const parent = this.tree.parent[block]!;
    if (this.known.state(parent, node) !== CONNECTED) {
      this.known.set(block, node, ORPHAN);
      this.ctx.count("orphansReceived");
      if (this.known.state(parent, node) === UNKNOWN) this.request(node, from, parent);
      return;
    }
    const before = this.known.tip[node]!;
    const best = this.connect(node, block);
    if (best !== before) this.adopt(node, before, best, from);
    this.forgetConnected(node);
  };

  /** Connects `block` and every waiting orphan that descends from it; returns the node's best block after. */
  private connect(node: PeerId, block: number): number {
    let best = this.known.tip[node]!;
    // One stack for every call (a call per verified block); a call made from a hook works above the caller's part.
    const stack = this.connecting;
    const base = stack.length;
    stack.push(block);
    while (stack.length > base) {
      const b = stack.pop()!;
      this.known.set(b, node, CONNECTED);
      const broadcast = this.tree.broadcast[b]!;
      if (broadcast >= 0) this.ctx.reached(broadcast, node);
      this.onConnect(node, b);
      if (this.tree.height[b]! > this.tree.height[best]!) best = b;
      for (const child of this.tree.children[b]!) if (this.known.state(child, node) === ORPHAN) stack.push(child);
    }
    return best;
  }

  /** `node` switches from `before` to `best` (the longest chain it knows). */
  adopt(node: PeerId, before: number, best: number, from: PeerId): void {
    const fork = this.tree.commonAncestor(before, best);
    const depth = this.tree.height[before]! - this.tree.height[fork]!;
    this.known.tip[node] = best;
    this.onTip(node, best, depth, before);
    this.announce(node, best, from);
  }

  /** A node mined `block` on its own tip (or was handed it by its pool): it has it, and announces it. */
  mined(node: PeerId, block: number): void {
    this.known.set(block, node, CONNECTED);
    const before = this.known.tip[node]!;
    if (this.tree.height[block]! > this.tree.height[before]!) this.adopt(node, before, block, -1);
  }
}
