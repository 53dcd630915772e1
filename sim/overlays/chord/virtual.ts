import type { PeerId } from "../../peers/population.js";
import type { AdversaryView, OverlayContext } from "../../core/protocol.js";
import type { ChordMessage } from "./messages.js";

/**
 * Virtual nodes (the Chord paper, §V-B of the ToN version): each physical
 * peer runs `v` Chord nodes with independent identifiers, which evens out
 * how many keys each peer is responsible for. Node `peer·v + j` is the j-th
 * virtual node of `peer`; with v = 1 node numbers are peer numbers.
 *
 * Routing, maintenance and storage work on nodes and never know about
 * peers: they talk through a context in node space, which this file builds
 * on top of the overlay's real context. Messages between nodes carry the
 * node numbers of both ends (`toNode`, `fromNode`; only when v > 1) so the
 * receiving peer knows which of its nodes is addressed. All nodes of a peer
 * share its fate: they join, leave and crash together, and their timers and
 * pending requests belong to the peer's session.
 */
export class VirtualNodes {
  constructor(readonly v: number) {}

  peerOf(node: number): PeerId {
    return this.v === 1 ? node : Math.floor(node / this.v);
  }

  /** The nodes of `peer`. */
  nodesOf(peer: PeerId): number[] {
    const out: number[] = [];
    for (let j = 0; j < this.v; j++) out.push(peer * this.v + j);
    return out;
  }

  /** The node a message from `fromPeer` to `toPeer` is for, and the node it came from. */
  ends(toPeer: PeerId, fromPeer: PeerId, msg: ChordMessage): { to: number; from: number } {
    if (this.v === 1) return { to: toPeer, from: fromPeer };
    const stamped = msg as NodeStamped;
    return { to: stamped.toNode!, from: stamped.fromNode! };
  }

  /** The overlay's context seen from nodes: every peer argument is a node number. */
  nodeContext(ctx: OverlayContext<ChordMessage>): OverlayContext<ChordMessage> {
    if (this.v === 1) return ctx;
    const v = this.v;
    const peerOf = (node: number) => Math.floor(node / v);
    const stamp = (from: number, to: number, msg: ChordMessage): ChordMessage => {
      const stamped = msg as NodeStamped;
      stamped.toNode = to;
      stamped.fromNode = from;
      return msg;
    };
    return {
      now: () => ctx.now(),
      rng: ctx.rng,
      send: (from, to, msg) => ctx.send(peerOf(from), peerOf(to), stamp(from, to, msg)),
      request: (from, to, msg, timeoutMs, onReply, onTimeout) =>
        ctx.request(peerOf(from), peerOf(to), stamp(from, to, msg), timeoutMs, onReply, onTimeout),
      reply: (from, to, request, reply) => ctx.reply(peerOf(from), peerOf(to), request, reply),
      // Two nodes of one peer share its disk: nothing crosses a link.
      transfer: (from, to, bytes, onDone, onAbort) => (peerOf(from) === peerOf(to) ? onDone() : ctx.transfer(peerOf(from), peerOf(to), bytes, onDone, onAbort)),
      bandwidth: ctx.bandwidth,
      fileSize: (key) => ctx.fileSize(key),
      setTimer: (node, delayMs, fn) => ctx.setTimer(peerOf(node), delayMs, fn),
      cancelTimer: (handle) => ctx.cancelTimer(handle),
      setOverlayTimer: (delayMs, fn) => ctx.setOverlayTimer(delayMs, fn),
      setTimerWith: (node, delayMs, fn, a, b) => ctx.setTimerWith(peerOf(node), delayMs, () => fn(node, a, b), 0, 0),
      cancelTimerWith: (handle) => ctx.cancelTimerWith(handle),
      every: (node, intervalMs, fn, options) => ctx.every(peerOf(node), intervalMs, () => fn(node), options),
      everyCycle: (intervalMs, fn) => ctx.everyCycle(intervalMs, fn),
      carried: (type, count, bytes, broadcast, undelivered) => ctx.carried(type, count, bytes, broadcast, undelivered),
      maintenanceFrozen: () => ctx.maintenanceFrozen(),
      onMaintenanceResumed: (fn) => ctx.onMaintenanceResumed(fn),
      // A joining node is told about the first node of each peer the host cache names; a peer's later
      // nodes also know its first one (without it, the first peer's nodes would each start a ring of their own).
      bootstrapContacts: (node) => {
        const contacts = ctx.bootstrapContacts(peerOf(node)).map((peer) => peer * v);
        return node % v === 0 ? contacts : [node - (node % v), ...contacts];
      },
      valueFrom: (holder, key) => ctx.valueFrom(peerOf(holder), key),
      answer: (lookup, key, holder, value, hops) => ctx.answer(lookup, key, peerOf(holder), value, hops),
      lookupSucceeded: (lookup, hops, endedAt) => ctx.lookupSucceeded(lookup, hops, endedAt === undefined || endedAt < 0 ? endedAt : peerOf(endedAt)),
      lookupFailed: (lookup, endedAt) => ctx.lookupFailed(lookup, endedAt === undefined || endedAt < 0 ? endedAt : peerOf(endedAt)),
      lookupTimedOut: (lookup) => ctx.lookupTimedOut(lookup),
      reached: (broadcast, node) => ctx.reached(broadcast, peerOf(node)),
      startBroadcast: (node, bytes, watchMs) => ctx.startBroadcast(peerOf(node), bytes, watchMs),
      downloadStarted: (node, bytes, label) => ctx.downloadStarted(peerOf(node), bytes, label),
      downloadCompleted: (download) => ctx.downloadCompleted(download),
      downloadAborted: (download) => ctx.downloadAborted(download),
      count: (name, amount) => ctx.count(name, amount),
      livePeers: () => ctx.livePeers().flatMap((peer) => this.nodesOf(peer)),
      adversary: nodeAdversary(ctx.adversary, v, peerOf),
    };
  }
}

/** The adversary view in node space: a node is malicious when its peer is, and accomplices are every node of every malicious peer. */
function nodeAdversary(a: AdversaryView, v: number, peerOf: (node: number) => number): AdversaryView {
  const accomplices = a.accomplices.flatMap((peer) => Array.from({ length: v }, (_, j) => peer * v + j));
  return {
    active: a.active,
    verify: a.verify,
    accomplices,
    isMalicious: (node) => a.isMalicious(peerOf(node)),
    misroutes: (node) => a.misroutes(peerOf(node)),
    tampers: (node) => a.tampers(peerOf(node)),
    misrouted: () => a.misrouted(),
  };
}

/** A message between virtual nodes knows which node of the receiving peer it is for, and which node sent it. */
interface NodeStamped {
  toNode?: number;
  fromNode?: number;
}
