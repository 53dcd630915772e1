import type { OverlayContext } from "../../core/protocol.js";
import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";
import type { BlockTree } from "./chain.js";
import { blockchainMessageTypes, type BlockchainMessage, type TxMessage } from "./messages.js";
import type { BlockchainOptions } from "./options.js";
import type { Topology } from "./topology.js";
import { TxRecord } from "./tx-results.js";

type TxOptions = NonNullable<BlockchainOptions["transactions"]>;

/** What a node knows of one transaction. */
const UNKNOWN = 0;
/** Asked a neighbour for it (txgetdata) and waiting. */
const REQUESTED = 1;
/** Has it: in its mempool, or confirmed in a block it connected. */
const HAVE = 2;

const txBytes = blockchainMessageTypes.tx.bytes as (m: TxMessage) => number;

/**
 * Transaction relay as Bitcoin Core does it. Transactions appear as a
 * Poisson process at random online nodes. A node that gets one keeps it in
 * its mempool and queues an announcement for every neighbour not known to
 * have it; each connection's queue goes out as one inv when that
 * connection's trickle timer fires, an exponential time of mean
 * trickleOutbound or trickleInbound (Poisson trickling, which hides who
 * heard a transaction first). A node asks for the txids it does not know
 * (getdata) and gets each transaction as a tx message. A neighbour that
 * announced a transaction to us, or that we sent it to, is never told of it
 * (Bitcoin Core's per-peer known-inventory filter).
 *
 * The trickle timer is drawn when a connection's queue goes from empty to
 * non-empty: the timer is memoryless, so the wait from that moment to its
 * next tick is exponential with the same mean, exactly as with a timer that
 * ticks all the time, and idle connections cost no events.
 */
export class TxRelay {
  readonly record = new TxRecord();
  /** When and where transactions appear. */
  private readonly rng: Rng;
  /** Trickle timers, apart from `rng` so that runs that differ only in trickling get the same transactions. */
  private readonly trickleRng: Rng;
  /** State of each transaction at each node, one byte array per transaction. */
  private readonly states: Uint8Array[] = [];
  /** Each node's mempool, oldest first (a Set iterates in insertion order). */
  private readonly mempools: (Set<number> | undefined)[] = [];
  /** Per node and neighbour: transactions the neighbour is known to have. Pruned when they leave the mempool. */
  private readonly knownBy: (Map<PeerId, Set<number>> | undefined)[] = [];
  /** Per node and neighbour: announcements waiting for that connection's next trickle. */
  private readonly queues: (Map<PeerId, number[]> | undefined)[] = [];
  /** Per node: transactions it has asked for and awaits, reset when it goes offline. */
  private readonly requested: (Set<number> | undefined)[] = [];
  /** The transactions each block carries (taken from its miner's mempool). */
  private readonly blockTxs: (readonly number[] | undefined)[] = [];
  /** The blocks that carry each transaction: one, or more on competing branches. */
  private readonly carriers: (number[] | undefined)[] = [];
  /** The node whose timer creates the next transaction (-1: none online), and when. */
  private host: PeerId = -1;
  private dueMs = NaN;
  private readonly meanGapMs: number;

  constructor(
    private readonly ctx: OverlayContext<BlockchainMessage>,
    private readonly options: TxOptions,
    private readonly size: number,
    private readonly requestTimeoutMs: number,
    private readonly topology: Topology,
    private readonly nodes: number,
  ) {
    // Streams of their own, so that the block streams draw what they drew without transactions.
    this.rng = ctx.rng.fork("transactions");
    this.trickleRng = ctx.rng.fork("trickle");
    this.meanGapMs = 1000 / options.rate;
  }

  /** A node came online: the creation process resumes if no node was online to carry it. */
  joined(): void {
    if (this.host < 0) this.schedule(this.rng.exponential(this.meanGapMs));
  }

  /** A node went offline: what it queued or awaited is forgotten, and the creation process moves on if it carried it. */
  left(node: PeerId): void {
    this.queues[node] = undefined;
    this.knownBy[node] = undefined;
    for (const tx of this.requested[node] ?? []) if (this.states[tx]![node] === REQUESTED) this.states[tx]![node] = UNKNOWN;
    this.requested[node] = undefined;
    if (node === this.host) this.schedule(this.dueMs - this.ctx.now());
  }

  /** The next transaction comes `gapMs` from now; its timer is carried by an online node (timers belong to nodes). */
  private schedule(gapMs: number): void {
    this.host = this.randomOnline();
    if (this.host < 0) return;
    this.dueMs = this.ctx.now() + gapMs;
    this.ctx.setTimer(this.host, gapMs, () => {
      this.host = -1;
      const origin = this.randomOnline();
      if (origin >= 0) this.create(origin);
      this.schedule(this.rng.exponential(this.meanGapMs));
    });
  }

  private randomOnline(): PeerId {
    const online: PeerId[] = [];
    this.topology.neighbours.forEach((links, node) => {
      if (links) online.push(node);
    });
    return online.length === 0 ? -1 : online[this.rng.int(online.length)]!;
  }

  private create(origin: PeerId): void {
    const tx = this.states.length;
    this.states.push(new Uint8Array(this.nodes));
    let audience = 0;
    for (const links of this.topology.neighbours) if (links) audience++;
    this.record.created(tx, origin, this.ctx.now(), audience);
    this.accept(origin, tx);
  }

  private state(tx: number, node: PeerId): number {
    return node < this.nodes ? this.states[tx]![node]! : UNKNOWN;
  }

  private knows(node: PeerId, peer: PeerId, tx: number): boolean {
    return this.knownBy[node]?.get(peer)?.has(tx) ?? false;
  }

  private learn(node: PeerId, peer: PeerId, tx: number): void {
    const byPeer = (this.knownBy[node] ??= new Map());
    let set = byPeer.get(peer);
    if (set === undefined) byPeer.set(peer, (set = new Set()));
    set.add(tx);
  }

  /** `node` has `tx` now: into its mempool, and announced to every neighbour not known to have it. */
  private accept(node: PeerId, tx: number): void {
    this.states[tx]![node] = HAVE;
    (this.mempools[node] ??= new Set()).add(tx);
    const neighbours = this.topology.neighbours[node];
    if (!neighbours) return;
    const queues = (this.queues[node] ??= new Map());
    for (const to of neighbours) {
      if (this.knows(node, to, tx)) continue;
      let queue = queues.get(to);
      if (queue === undefined) queues.set(to, (queue = []));
      queue.push(tx);
      if (queue.length === 1) {
        const mean = this.topology.isOutbound(node, to) ? this.options.trickleOutbound : this.options.trickleInbound;
        this.ctx.setTimer(node, this.trickleRng.exponential(mean), () => this.trickle(node, to));
      }
    }
  }

  /** A connection's trickle timer fired: one inv with every queued txid still worth announcing. */
  private trickle(node: PeerId, to: PeerId): void {
    const queues = this.queues[node];
    const queue = queues?.get(to);
    if (queue === undefined) return;
    queues!.delete(to);
    if (!this.topology.neighbours[node]!.includes(to)) return;
    const pool = this.mempools[node];
    const txs: number[] = [];
    for (const tx of queue) {
      if (!pool?.has(tx) || this.knows(node, to, tx)) continue;
      txs.push(tx);
      this.learn(node, to, tx);
    }
    if (txs.length > 0) this.ctx.send(node, to, { type: "txinv", txs });
  }

  private tally(msg: BlockchainMessage & { type: "txinv" | "txgetdata" | "tx" }): void {
    const size = blockchainMessageTypes[msg.type].bytes as (m: typeof msg) => number;
    this.record.txMessages++;
    this.record.txBytes += size(msg);
  }

  onInv(to: PeerId, from: PeerId, txs: readonly number[]): void {
    this.tally({ type: "txinv", txs: txs as number[] });
    this.record.invMessages++;
    this.record.invEntries += txs.length;
    const wanted: number[] = [];
    for (const tx of txs) {
      this.learn(to, from, tx);
      if (this.state(tx, to) !== UNKNOWN) continue;
      this.states[tx]![to] = REQUESTED;
      (this.requested[to] ??= new Set()).add(tx);
      wanted.push(tx);
    }
    if (wanted.length === 0) return;
    this.ctx.send(to, from, { type: "txgetdata", txs: wanted });
    // A transaction that does not come in time may be fetched from the next neighbour that announces it.
    this.ctx.setTimer(to, this.requestTimeoutMs, () => {
      for (const tx of wanted) this.forgetRequest(to, tx);
    });
  }

  private forgetRequest(node: PeerId, tx: number): void {
    if (this.states[tx]![node] !== REQUESTED) return;
    this.states[tx]![node] = UNKNOWN;
    this.requested[node]?.delete(tx);
  }

  onGetData(to: PeerId, from: PeerId, txs: readonly number[]): void {
    this.tally({ type: "txgetdata", txs: txs as number[] });
    const pool = this.mempools[to];
    for (const tx of txs) {
      if (!pool?.has(tx)) continue;
      this.learn(to, from, tx);
      const msg: TxMessage = { type: "tx", tx, bytes: this.size };
      if (!this.ctx.bandwidth) {
        this.ctx.send(to, from, msg);
        continue;
      }
      this.ctx.transfer(
        to,
        from,
        txBytes(msg),
        () => this.onTx(from, to, tx),
        () => this.forgetRequest(from, tx),
      );
    }
  }

  onTx(to: PeerId, from: PeerId, tx: number): void {
    this.tally({ type: "tx", tx, bytes: this.size });
    this.learn(to, from, tx);
    this.requested[to]?.delete(tx);
    if (this.state(tx, to) === HAVE) {
      this.record.duplicateTxs++;
      return;
    }
    this.record.reach(tx, this.ctx.now());
    this.accept(to, tx);
  }

  /**
   * `miner` found `block`: it carries up to `capacity` transactions from its
   * mempool, oldest first, but none already in a block it builds on (a block
   * carrying one would be invalid). Only a mempool that does not follow the
   * chain being mined holds such a one: a selfish pool member's follows its
   * public tip while the pool mines on its private chain.
   */
  fill(block: number, miner: PeerId, capacity: number, tree: BlockTree): void {
    const txs: number[] = [];
    const parent = tree.parent[block]!;
    for (const tx of this.mempools[miner] ?? []) {
      if (txs.length >= capacity) break;
      if (this.onChain(tx, parent, tree)) continue;
      txs.push(tx);
      this.record.included(tx, block);
      (this.carriers[tx] ??= []).push(block);
    }
    this.blockTxs[block] = txs;
  }

  /** Is `tx` in `tip` or one of its ancestors? */
  private onChain(tx: number, tip: number, tree: BlockTree): boolean {
    for (const c of this.carriers[tx] ?? []) {
      let b = tip;
      while (tree.height[b]! > tree.height[c]!) b = tree.parent[b]!;
      if (b === c) return true;
    }
    return false;
  }

  /** `node` connected `block`, on its best chain or a side branch: it has the block's transactions, so it stops asking for them. */
  received(node: PeerId, block: number): void {
    for (const tx of this.blockTxs[block] ?? []) {
      this.forgetRequest(node, tx);
      if (node < this.nodes) this.states[tx]![node] = HAVE;
    }
  }

  /**
   * `node`'s best chain moved from `before` to `after`. As in Bitcoin Core,
   * the transactions of the blocks it left go back into its mempool (after
   * what is there: a mempool here is ordered by arrival), and those of the
   * blocks it joined leave it. A block that only extends the chain is the
   * common case: nothing goes back.
   */
  tipMoved(node: PeerId, before: number, after: number, tree: BlockTree): void {
    const fork = tree.commonAncestor(before, after);
    const left: number[] = [];
    for (let b = before; b !== fork; b = tree.parent[b]!) left.push(b);
    for (let i = left.length - 1; i >= 0; i--) {
      const txs = this.blockTxs[left[i]!];
      if (txs !== undefined && txs.length > 0) {
        const pool = (this.mempools[node] ??= new Set());
        for (const tx of txs) pool.add(tx);
      }
    }
    for (let b = after; b !== fork; b = tree.parent[b]!) this.confirmed(node, b);
  }

  /** `block` is on `node`'s best chain: its transactions are confirmed, so they leave the node's mempool and are no longer announced. */
  confirmed(node: PeerId, block: number): void {
    const txs = this.blockTxs[block];
    if (txs === undefined) return;
    const pool = this.mempools[node];
    const byPeer = this.knownBy[node];
    for (const tx of txs) {
      this.forgetRequest(node, tx);
      if (node < this.nodes) this.states[tx]![node] = HAVE;
      if (pool?.delete(tx)) byPeer?.forEach((known) => known.delete(tx));
    }
  }

  /** The transactions `block` carries, in the order its miner took them. */
  carried(block: number): readonly number[] {
    return this.blockTxs[block] ?? [];
  }

  /** How many transactions `block` carries (0 before it is filled, or for a block mined on an empty mempool). */
  carriedBy(block: number): number {
    return this.blockTxs[block]?.length ?? 0;
  }

  /** How many of `block`'s transactions `node` lacks (compact blocks: each one is a short id it cannot resolve). */
  missing(node: PeerId, block: number): number {
    let lacking = 0;
    for (const tx of this.blockTxs[block] ?? []) if (this.state(tx, node) !== HAVE) lacking++;
    return lacking;
  }
}
