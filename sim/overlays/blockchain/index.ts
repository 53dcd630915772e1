import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { BlockTree, type SettledHeight } from "./chain.js";
import { CONNECTED, Knowledge } from "./knowledge.js";
import { blockchainMessageTypes, type BlockchainMessage } from "./messages.js";
import { HashPower } from "./mining.js";
import { blockchainSchema, type BlockchainOptions } from "./options.js";
import { Relay } from "./relay.js";
import { ChainResults, BLOCKCHAIN_COUNTERS, blockchainSummary, SpreadRecord } from "./results.js";
import { SelfishPool } from "./selfish.js";
import { Topology } from "./topology.js";
import { TxRelay } from "./tx-relay.js";

/** Bytes of a block header (Bitcoin's is 80). */
const BLOCK_HEADER_BYTES = 80;

/**
 * A Bitcoin-like network: every node keeps the block tree, verifies each
 * block before relaying it, follows the longest chain, and (if it has hash
 * power) mines on its tip. Blocks are broadcasts the protocol starts itself
 * (ctx.startBroadcast), so their spread is measured like any broadcast.
 */
class BlockchainOverlay implements Overlay<BlockchainMessage> {
  private readonly tree: BlockTree;
  private readonly known: Knowledge;
  private readonly topology: Topology;
  private readonly relay: Relay;
  private readonly hash: HashPower;
  private readonly pool: SelfishPool | undefined;
  private readonly poolMembers: readonly PeerId[];
  private readonly inPool: ReadonlySet<PeerId>;
  private readonly record = new ChainResults();
  private readonly spread: SpreadRecord;
  private readonly txs: number;
  /** Transaction relay (overlay.transactions); undefined when off. Public, read-only, for what only it knows (the transactions each block carries). */
  readonly txRelay: TxRelay | undefined;
  private readonly nodeCount: number;
  /** Honest nodes surrounded by eclipsing nodes (adversaries.behaviours: [eclipse]). */
  private victims: readonly PeerId[] = [];
  /** Height of the longest chain made public so far. */
  private publicHeight = 0;

  constructor(
    private readonly options: BlockchainOptions,
    private readonly ctx: OverlayContext<BlockchainMessage>,
    world: OverlayWorld,
  ) {
    this.tree = new BlockTree(options.confirmations, (s) => this.settled(s));
    let max = 1;
    for (const p of world.allPeers) max = Math.max(max, p + 1);
    this.known = new Knowledge(max);
    this.spread = new SpreadRecord(max, () => ctx.now(), (block) => this.tree.height[block]!);
    this.known.onChange = (block, node, state) => this.spread.changed(block, node, state);
    this.known.addBlock(0);
    this.txs = Math.max(1, Math.floor(options.blockSize / options.transactionSize));
    this.topology = new Topology(ctx, options);
    this.relay = new Relay(ctx, options, this.tree, this.known, this.topology, (block) => this.blockBytes(block), (block) => this.txsIn(block));
    this.hash = new HashPower(options.mining, world.allPeers, ctx.rng);
    this.nodeCount = world.allPeers.length;
    this.txRelay = options.transactions
      ? new TxRelay(ctx, options.transactions, options.transactionSize, options.relay.requestTimeout, this.topology, max)
      : undefined;
    const adversary = ctx.adversary;
    this.poolMembers = adversary.active ? world.allPeers.filter((p) => adversary.minesSelfishly?.(p) ?? false) : [];
    this.inPool = new Set(this.poolMembers);
    this.pool = this.poolMembers.length > 0 ? new SelfishPool(this.tree, (blocks) => this.release(blocks)) : undefined;
    const attackers = adversary.active ? world.allPeers.filter((p) => adversary.eclipses?.(p) ?? false) : [];
    if (attackers.length > 0) {
      const honest = world.allPeers.filter((p) => !adversary.isMalicious(p));
      this.victims = ctx.rng.sample(honest, Math.min(options.eclipseVictims, honest.length)).sort((a, b) => a - b);
      this.topology.attackers = attackers;
      for (const v of this.victims) this.topology.eclipsed.add(v);
      const isAttacker = new Set(attackers);
      this.relay.withholds = (node, to) => isAttacker.has(node) && this.topology.eclipsed.has(to);
    }
    this.topology.onConnected = (a, b) => this.relay.greet(a, b);
    this.relay.onTip = (node, _block, depth) => {
      if (depth > 0) {
        ctx.count("reorgs");
        ctx.count("reorgDepthSum", depth);
        this.record.reorg(depth);
      }
    };
    this.relay.onConnect = (node, block) => {
      if (this.pool && !this.tree.selfish[block] && this.inPool.has(node)) this.pool.heard(block, node);
    };
    this.relay.mayRelay = (node, block) => {
      if (Number.isNaN(this.tree.publishedMs[block]!)) return false;
      return !this.pool || !this.inPool.has(node) || this.tree.selfish[block]!;
    };
    // Last, so that it wraps the hooks set above.
    if (this.txRelay) this.wireTransactions(this.txRelay);
  }

  /** Blocks carry transactions from mempools; compact blocks miss the ones a receiver lacks; block bytes are tallied for the traffic share. */
  private wireTransactions(txRelay: TxRelay): void {
    const onConnect = this.relay.onConnect;
    this.relay.onConnect = (node, block) => {
      onConnect(node, block);
      txRelay.received(node, block);
    };
    // A mempool follows the node's best chain: a block on a side branch leaves it alone.
    const onTip = this.relay.onTip;
    this.relay.onTip = (node, block, depth, before) => {
      onTip(node, block, depth, before);
      txRelay.tipMoved(node, before, block, this.tree);
    };
    this.relay.missingTxs = (node, block) => txRelay.missing(node, block);
    this.relay.carried = (bytes) => {
      txRelay.record.blockBytes += bytes;
    };
  }

  private settled(s: SettledHeight): void {
    this.ctx.count("blocksMainChain");
    if (this.tree.selfish[s.main]) this.ctx.count("mainChainSelfish");
    this.ctx.count("blocksStale", s.stale.length);
    for (const b of s.stale) if (this.tree.selfish[b]) this.ctx.count("staleSelfish");
    this.record.settled(s, this.tree, this.hash);
    this.spread.settled(s);
  }

  private startMining(node: PeerId): void {
    const share = this.hash.of(node);
    if (share <= 0) return;
    const next = () => {
      this.ctx.setTimer(node, this.ctx.rng.exponential(this.options.mining.interval / share), () => {
        this.mine(node);
        next();
      });
    };
    next();
  }

  private newBlock(parent: number, miner: PeerId, selfish: boolean): number {
    const id = this.tree.add(parent, miner, this.ctx.now(), selfish, !selfish);
    this.known.addBlock(id);
    if (this.txRelay) {
      this.txRelay.fill(id, miner, this.txs, this.tree);
      this.txRelay.confirmed(miner, id);
    }
    this.ctx.count("blocksMined");
    return id;
  }

  private mine(node: PeerId): void {
    if (this.pool && this.inPool.has(node)) {
      const id = this.newBlock(this.pool.tip, node, true);
      this.ctx.count("blocksMinedSelfish");
      // The pool shares its private chain among its members at once (a private channel).
      for (const m of this.poolMembers) {
        this.known.set(id, m, CONNECTED);
        const before = this.known.tip[m]!;
        this.known.tip[m] = id;
        // Connected without the relay: the member's mempool follows its new tip here.
        this.txRelay?.tipMoved(m, before, id, this.tree);
      }
      this.pool.mined(id);
      return;
    }
    const parent = this.honestParent(node);
    const id = this.newBlock(parent, node, false);
    if (this.topology.eclipsed.has(node)) this.ctx.count("eclipsedBlocksMined");
    this.publish(id, node);
    this.relay.mined(node, id);
  }

  /**
   * An honest miner builds on its tip, except in a selfish pool's race when
   * gamma is a number: then a share gamma of honest mining builds on the
   * pool's block and the rest on the honest rival (Eyal & Sirer's model).
   */
  private honestParent(node: PeerId): number {
    const tip = this.known.tip[node]!;
    const pool = this.pool;
    const gamma = this.options.gamma;
    if (!pool || gamma === "network" || !pool.racing || this.tree.height[tip] !== this.tree.height[pool.tip]) return tip;
    const parent = this.ctx.rng.next() < gamma ? pool.tip : pool.rival;
    if (this.known.state(parent, node) !== CONNECTED) {
      // The miner saw that block first: it has it.
      this.known.set(parent, node, CONNECTED);
      // Its mempool moves when its tip does, once it has mined on this block (relay.mined).
      this.txRelay?.received(node, parent);
      const broadcast = this.tree.broadcast[parent]!;
      if (broadcast >= 0) this.ctx.reached(broadcast, node);
    }
    return parent;
  }

  /**
   * A block's size on the wire. Without transaction relay every block is
   * `blockSize` (full blocks, as Bitcoin's have mostly been). With it a block
   * is its header plus the transactions it took from its miner's mempool, so
   * the simulated transaction rate decides how big blocks are, up to
   * `blockSize`.
   */
  private blockBytes(block: number): number {
    return this.txRelay ? BLOCK_HEADER_BYTES + this.txRelay.carriedBy(block) * this.options.transactionSize : this.options.blockSize;
  }

  /** Transactions `block` carries: those it took from the mempool with transaction relay, else a full block's worth. */
  private txsIn(block: number): number {
    return this.txRelay ? this.txRelay.carriedBy(block) : this.txs;
  }

  /** `block` becomes public, spreading from `origin`: a broadcast of its own. */
  private publish(block: number, origin: PeerId): void {
    this.tree.publishedMs[block] = this.ctx.now();
    this.tree.broadcast[block] = this.ctx.startBroadcast(origin, this.blockBytes(block));
    if (this.tree.height[block]! > this.publicHeight) this.publicHeight = this.tree.height[block]!;
  }

  /** The selfish pool releases `blocks` (oldest first): its online members announce the newest. */
  private release(blocks: readonly number[]): void {
    const online = this.poolMembers.filter((m) => this.topology.online(m));
    if (online.length === 0) return;
    for (const b of blocks) {
      const miner = this.tree.miner[b]!;
      this.publish(b, this.topology.online(miner) ? miner : online[0]!);
      for (const m of online) this.ctx.reached(this.tree.broadcast[b]!, m);
    }
    this.ctx.count("selfishReleases");
    const last = blocks[blocks.length - 1]!;
    for (const m of online) this.relay.announce(m, last, -1);
  }

  join(peer: PeerId): void {
    this.topology.join(peer);
    this.startMining(peer);
    this.txRelay?.joined();
  }

  buildOracle(peers: readonly PeerId[]): void {
    this.topology.buildOracle(peers);
    for (const peer of peers) this.startMining(peer);
    this.txRelay?.joined();
  }

  leave(peer: PeerId): void {
    this.topology.leave(peer, true);
    this.known.forgetPending(peer);
    this.relay.left(peer);
    this.txRelay?.left(peer);
  }

  crash(peer: PeerId): void {
    this.topology.leave(peer, false);
    this.known.forgetPending(peer);
    this.relay.left(peer);
    this.txRelay?.left(peer);
  }

  deliver(to: PeerId, from: PeerId, msg: BlockchainMessage): void {
    if (this.txRelay && BLOCK_RELAY_TYPES.has(msg.type)) {
      const size = blockchainMessageTypes[msg.type].bytes as number | ((m: BlockchainMessage) => number);
      this.txRelay.record.blockBytes += typeof size === "number" ? size : size(msg);
    }
    switch (msg.type) {
      case "inv":
        this.relay.onInv(to, from, msg.block);
        return;
      case "getdata":
        this.relay.onGetData(to, from, msg);
        return;
      case "headers":
        this.relay.onHeaders(to, from, msg);
        return;
      case "getheaders":
        this.relay.onGetHeaders(to, from, msg);
        return;
      case "block":
        this.relay.onBlock(to, from, msg.block);
        return;
      case "cmpctblock":
        this.relay.onCompact(to, from, msg);
        return;
      case "getblocktxn":
        this.relay.onGetBlockTxn(to, from, msg);
        return;
      case "blocktxn":
        this.relay.onBlockTxn(to, from, msg);
        return;
      case "txinv":
        this.txRelay?.onInv(to, from, msg.txs);
        return;
      case "txgetdata":
        this.txRelay?.onGetData(to, from, msg.txs);
        return;
      case "tx":
        this.txRelay?.onTx(to, from, msg.tx);
        return;
      case "connect":
        this.topology.answerConnect(to, from, msg);
        return;
      case "disconnect":
        this.topology.drop(to, from);
        return;
      case "ping":
        this.ctx.reply(to, from, msg, { type: "pong" });
        return;
      case "connectReply":
      case "pong":
        return;
    }
  }

  sample(): Record<string, number> {
    let nodes = 0;
    let lag = 0;
    for (let node = 0; node < this.topology.neighbours.length; node++) {
      if (!this.topology.online(node)) continue;
      nodes++;
      lag += Math.max(0, this.publicHeight - this.tree.height[this.known.tip[node]!]!);
    }
    const row: Record<string, number> = { chainHeight: this.publicHeight, tipLagMean: nodes ? lag / nodes : 0 };
    if (this.victims.length > 0) {
      let online = 0;
      let behind = 0;
      for (const v of this.victims) {
        if (!this.topology.online(v)) continue;
        online++;
        behind += Math.max(0, this.publicHeight - this.tree.height[this.known.tip[v]!]!);
      }
      row["eclipsedLagMean"] = online ? behind / online : 0;
    }
    return row;
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    this.topology.neighbours.forEach((links, peer) => {
      if (!links) return;
      const role = this.hash.poolOf.get(peer) ?? (this.hash.of(peer) > 0 ? undefined : undefined);
      peers.push({ peer, links: links.slice(), linkKinds: links.map(() => "connection"), keys: [], ...(role ? { role } : {}) });
    });
    return { peers };
  }

  summary(): Record<string, number> {
    return this.txRelay ? this.txRelay.record.summary(this.nodeCount) : {};
  }

  results(): Record<string, unknown> {
    const placementOf = this.ctx.placementOf?.bind(this.ctx) ?? (() => undefined);
    const chain = { ...this.record.toJson(this.tree, this.hash), spread: this.spread.toJson(this.tree, placementOf) };
    return this.txRelay ? { ...chain, transactions: this.txRelay.record.toJson(this.nodeCount) } : chain;
  }
}

/** Block relay messages, whose bytes the transaction traffic share is measured against. */
const BLOCK_RELAY_TYPES: ReadonlySet<BlockchainMessage["type"]> = new Set(["inv", "getdata", "headers", "getheaders", "block", "cmpctblock", "getblocktxn", "blocktxn"]);

export const blockchain: OverlayDefinition<BlockchainOptions, BlockchainMessage> = {
  name: "blockchain",
  description: "Bitcoin-like network of full nodes: Poisson mining, verification before relay, inv/getdata, push or compact blocks, longest chain, forks, selfish mining",
  schema: blockchainSchema,
  messageTypes: blockchainMessageTypes,
  counters: BLOCKCHAIN_COUNTERS,
  originatesBroadcasts: true,
  unusedMessageTypes: (options) => (options.transactions ? [] : ["txinv", "txgetdata", "tx"]),
  summary: (_options, counters, measuredSeconds) => blockchainSummary(counters, measuredSeconds),
  // Pushing whole blocks costs upload capacity, which only network.bandwidth models: without it push would look free.
  checkScenario: (options, scenario) =>
    options.relay.mode === "push" && !scenario.bandwidth
      ? [
          {
            path: ["relay", "mode"],
            message:
              'expected "inv", "headers" or "compact" without network.bandwidth, got "push": push sends every block whole to every neighbour, and what that costs is upload capacity, which only network.bandwidth models (add a network.bandwidth section to compare push fairly)',
          },
        ]
      : [],
  create: (options, ctx, world) => new BlockchainOverlay(options, ctx, world),
};
