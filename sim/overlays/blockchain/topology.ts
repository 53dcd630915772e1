import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { BlockchainMessage, ConnectMessage } from "./messages.js";
import type { BlockchainOptions } from "./options.js";

/**
 * Bitcoin's connection graph: every node opens `outbound` connections to
 * nodes it knows and accepts inbound ones up to `maxConnections` in all.
 * Addresses come from the host cache at join and from the addresses a node
 * hands out when it accepts or refuses a connection (addr). Every
 * `maintenanceInterval` a node pings its neighbours, drops those that do not
 * answer, and opens connections again until it has `outbound`.
 */
export class Topology {
  /** Neighbours of each online node (both directions); undefined offline. */
  readonly neighbours: (PeerId[] | undefined)[] = [];
  private readonly outboundOf: (Set<PeerId> | undefined)[] = [];
  /** Addresses each node has heard of (kept across sessions, like Bitcoin's peers.dat). */
  private readonly addresses: PeerId[][] = [];
  /** Eclipsed nodes: every connection they have or accept goes to an attacker (Heilman et al., USENIX Security 2015). */
  readonly eclipsed = new Set<PeerId>();
  /** The eclipsing nodes, which have filled their victims' address tables. */
  attackers: readonly PeerId[] = [];
  /** Called when a connection opens, so both ends can tell each other their best block. */
  onConnected: (a: PeerId, b: PeerId) => void = () => {};

  constructor(
    private readonly ctx: OverlayContext<BlockchainMessage>,
    private readonly options: BlockchainOptions,
  ) {}

  online(node: PeerId): boolean {
    return this.neighbours[node] !== undefined;
  }

  /** True if `node` opened its connection to `other` (an outbound connection, from `node`'s side). */
  isOutbound(node: PeerId, other: PeerId): boolean {
    return this.outboundOf[node]?.has(other) ?? false;
  }

  join(node: PeerId): void {
    this.start(node);
    const known = (this.addresses[node] ??= []);
    for (const c of this.ctx.bootstrapContacts(node)) if (c !== node && !known.includes(c)) known.push(c);
    this.fill(node);
  }

  /** Oracle bootstrap: each node opens `outbound` connections to random nodes that still accept. */
  buildOracle(nodes: readonly PeerId[]): void {
    for (const node of nodes) this.start(node);
    for (const node of nodes) {
      const out = this.outboundOf[node]!;
      let tries = 0;
      while (out.size < this.options.outbound && tries < 50 * this.options.outbound) {
        tries++;
        const other = nodes[this.ctx.rng.int(nodes.length)]!;
        if (other === node || this.neighbours[node]!.includes(other) || this.neighbours[other]!.length >= this.options.maxConnections) continue;
        this.link(node, other);
      }
      this.addresses[node] = this.neighbours[node]!.slice();
    }
    for (const victim of this.eclipsed) this.surround(victim);
    for (const node of nodes) for (const other of this.neighbours[node]!) if (node < other) this.onConnected(node, other);
  }

  /** The attackers take every slot of `victim`: its honest links are cut and it is linked to every online attacker. */
  private surround(victim: PeerId): void {
    const mine = this.neighbours[victim];
    if (!mine) return;
    for (const other of mine.slice()) {
      if (this.attackers.includes(other)) continue;
      this.drop(victim, other);
      this.drop(other, victim);
    }
    for (const a of this.attackers) {
      if (!this.neighbours[a] || mine.includes(a) || mine.length >= this.options.maxConnections) continue;
      mine.push(a);
      this.outboundOf[victim]!.add(a);
      this.neighbours[a]!.push(victim);
    }
    this.addresses[victim] = this.attackers.slice();
  }

  private start(node: PeerId): void {
    this.neighbours[node] = [];
    this.outboundOf[node] = new Set();
    this.ctx.every(node, this.options.maintenanceInterval, () => this.maintain(node));
  }

  leave(node: PeerId, graceful: boolean): void {
    const mine = this.neighbours[node];
    if (!mine) return;
    for (const other of mine) {
      if (graceful) this.ctx.send(node, other, { type: "disconnect" });
    }
    this.neighbours[node] = undefined;
    this.outboundOf[node] = undefined;
  }

  private link(from: PeerId, to: PeerId): void {
    this.neighbours[from]!.push(to);
    this.outboundOf[from]!.add(to);
    this.neighbours[to]!.push(from);
  }

  /** Forgets a neighbour on this side only. */
  drop(node: PeerId, other: PeerId): void {
    const mine = this.neighbours[node];
    if (!mine) return;
    const i = mine.indexOf(other);
    if (i < 0) return;
    mine.splice(i, 1);
    this.outboundOf[node]!.delete(other);
    this.ctx.count("connectionsLost");
  }

  private maintain(node: PeerId): void {
    for (const other of this.neighbours[node]!.slice()) {
      this.ctx.request(node, other, { type: "ping" }, this.options.pingTimeout, answered, () => this.drop(node, other));
    }
    this.fill(node);
  }

  /** Opens connections to known addresses until `outbound` are open or pending. */
  private fill(node: PeerId): void {
    const out = this.outboundOf[node];
    if (this.eclipsed.has(node)) this.addresses[node] = this.attackers.slice();
    const known = this.addresses[node];
    if (!out || !known || known.length === 0) return;
    const missing = this.options.outbound - out.size;
    const candidates = this.ctx.rng.sample(
      known.filter((p) => p !== node && !this.neighbours[node]!.includes(p)),
      missing,
    );
    for (const other of candidates) {
      this.ctx.request(
        node,
        other,
        { type: "connect" },
        this.options.pingTimeout,
        (reply) => {
          if (reply.type !== "connectReply") return;
          this.learn(node, reply.addresses);
          const mine = this.neighbours[node];
          if (!mine || !reply.accepted || mine.includes(other) || this.outboundOf[node]!.size >= this.options.outbound) {
            if (reply.accepted) this.ctx.send(node, other, { type: "disconnect" });
            return;
          }
          mine.push(other);
          this.outboundOf[node]!.add(other);
          this.onConnected(node, other);
        },
        () => {
          const i = known.indexOf(other);
          if (i >= 0) known.splice(i, 1);
        },
      );
    }
  }

  /** An incoming connection: accept while below maxConnections; hand out a few addresses either way. */
  answerConnect(to: PeerId, from: PeerId, msg: ConnectMessage): void {
    const mine = this.neighbours[to]!;
    const accepted = mine.length < this.options.maxConnections && !mine.includes(from) && (!this.eclipsed.has(to) || this.attackers.includes(from));
    if (accepted) mine.push(from);
    this.learn(to, [from]);
    const addresses = this.ctx.rng.sample(mine.filter((p) => p !== from), 8);
    this.ctx.reply(to, from, msg, { type: "connectReply", accepted, addresses });
  }

  private learn(node: PeerId, incoming: readonly PeerId[]): void {
    const known = (this.addresses[node] ??= []);
    for (const p of incoming) {
      if (p === node || known.includes(p)) continue;
      if (known.length < 1000) known.push(p);
      else known[this.ctx.rng.int(known.length)] = p;
    }
  }
}

/** A pong needs no handling (it only spares the connection); one function for every ping. */
function answered(): void {}
