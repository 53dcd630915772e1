import type { PeerId } from "../../peers/population.js";
import { CycleTimeouts } from "./cycle-timeouts.js";
import { CycleTraffic } from "./cycle-traffic.js";
import { GossipPart, type GossipParts } from "./parts.js";

const HELD = 1;
const FRESH = 2;

const NO_ANSWER = 0;
const NEWS = 1;
const KNEW = 2;

/**
 * `execution: cycles` for push rumour mongering, the case that has to scale
 * (10^4 rumours on 10^4 peers): the semantics of cycles.ts, with the hot
 * rumours kept per item instead of per peer, so a cycle walks a few typed
 * arrays and visits only hot peers.
 *
 * - Each item keeps the peers hot about it, in the order they became hot,
 *   with their contact counts. A cycle goes item by item (oldest first) and
 *   through each item's hot peers in that order. A peer's `fanout` partners
 *   for the cycle are drawn at its first push of the cycle, so it sends every
 *   rumour it is hot about to the same partners, as its turn does in the
 *   event mode.
 * - The peers hot about an item when the cycle reaches it are those that got
 *   it before the cycle (a peer infected now is appended behind them and
 *   pushes from the next cycle on); "knew" means had it before the cycle.
 * - Feedback counts after the peer has pushed the item to all its partners;
 *   blind contacts as they are made; a push to an offline partner counts
 *   `requestTimeout` later (cycle-timeouts.ts).
 * - Every peer forgets an item `memory` after its publication, all at once
 *   (the event mode prunes each peer's list at its next round: the same
 *   answers, since later copies are refused as too old either way).
 * - Who holds an item is kept here, a byte per peer, not in the item store
 *   (whose per-peer times the other modes need): a push reads one byte.
 */
export class PushCycles extends GossipPart {
  /** Per item: its hot peers and their counted contacts (valid up to hotSize). */
  private hotPeersOf: (Int32Array | undefined)[] = [];
  private contactsOf: (Int32Array | undefined)[] = [];
  private hotSize = new Int32Array(64);
  /** Per item: feedback contacts owed by a timeout, indexed by peer, applied at the peer's next push of the item. */
  private owedOf: (Int32Array | undefined)[] = [];
  /**
   * Per item: which peers hold it, a byte per peer (HELD; FRESH while its
   * cycle's pushes run, for a peer that got it in them), and how many. Kept
   * here rather than in the item store's times, so a push reads one byte.
   */
  private heldOf: (Uint8Array | undefined)[] = [];
  private holders = new Int32Array(64);
  /** Items with hot peers, oldest first. */
  private active: number[] = [];
  /** Items published so far (ids are dense) and the oldest one peers still remember. */
  private published = 0;
  private oldestRemembered = 0;
  /** The cycle each peer last drew its partners in, and those partners (`fanout` per peer). */
  private drawnIn: Int32Array;
  private partners: Int32Array;
  private cycleNo = 0;
  private now = 0;
  /** The current item's pushes this cycle, added to the traffic and tallies once it is done. */
  private pushes = 0;
  private unanswered = 0;
  private duplicates = 0;
  private infections = 0;
  private readonly traffic: CycleTraffic;
  private readonly timeouts: CycleTimeouts;
  private readonly timedOut = (peer: PeerId, id: number): void => {
    if (this.options.feedback && this.hotSize[id]! > 0) {
      const owed = (this.owedOf[id] ??= new Int32Array(this.drawnIn.length));
      owed[peer]!++;
    }
    this.tallies.acknowledged(id);
  };

  constructor(parts: GossipParts) {
    super(parts);
    const { options, ctx, items, peers } = parts;
    this.traffic = new CycleTraffic(ctx, items);
    this.timeouts = new CycleTimeouts(peers);
    this.drawnIn = new Int32Array(peers.capacity).fill(-1);
    this.partners = new Int32Array(peers.capacity * options.fanout);
  }

  /** `peer` publishes item `id` (already in the item store's catalogue). */
  publish(peer: PeerId, id: number): void {
    this.published = Math.max(this.published, id + 1);
    if (id >= this.holders.length) {
      const grown = new Int32Array(Math.max(id + 1, 2 * this.holders.length));
      grown.set(this.holders);
      this.holders = grown;
    }
    this.heldOf[id] = new Uint8Array(this.drawnIn.length);
    this.holders[id] = 0;
    this.active.push(id);
    this.infect(peer, id, HELD);
  }

  /** `peer` goes offline: it forgets what it held and stops being hot. */
  forget(peer: PeerId): void {
    for (const id of this.active) {
      const size = this.hotSize[id]!;
      const hot = this.hotPeersOf[id]!;
      const contacts = this.contactsOf[id]!;
      for (let j = 0; j < size; j++) {
        if (hot[j] !== peer) continue;
        hot.copyWithin(j, j + 1, size);
        contacts.copyWithin(j, j + 1, size);
        this.hotSize[id] = size - 1;
        this.tallies.hot(id, -1);
        break;
      }
      const owed = this.owedOf[id];
      if (owed !== undefined && peer < owed.length) owed[peer] = 0;
    }
    for (let id = this.oldestRemembered; id < this.published; id++) {
      const held = this.heldOf[id];
      if (held === undefined || peer >= held.length || held[peer] === 0) continue;
      held[peer] = 0;
      this.holders[id]!--;
    }
  }

  /** Rumours hot per online peer, and items held per online peer. */
  sample(): { hotRumoursMean: number; itemsKnownMean: number } {
    let online = 0;
    const up = this.peers.online8;
    for (let peer = 0; peer < up.length; peer++) online += up[peer]!;
    let hot = 0;
    for (const id of this.active) hot += this.hotSize[id]!;
    let known = 0;
    for (let id = this.oldestRemembered; id < this.published; id++) known += this.holders[id]!;
    return { hotRumoursMean: online ? hot / online : 0, itemsKnownMean: online ? known / online : 0 };
  }

  readonly cycle = (): void => {
    this.now = this.ctx.now();
    this.cycleNo++;
    this.timeouts.run(this.now, this.timedOut);
    this.expire();
    const active = this.active;
    let kept = 0;
    for (let i = 0; i < active.length; i++) {
      const id = active[i]!;
      if (this.hotSize[id]! > 0) this.spread(id);
      if (this.hotSize[id]! > 0) active[kept++] = id;
      else this.release(id);
    }
    active.length = kept;
    this.traffic.account();
  };

  /** Items published more than `memory` ago leave every peer's memory. */
  private expire(): void {
    const memory = this.options.memory;
    while (this.oldestRemembered < this.published && this.items.publishedMsOf(this.oldestRemembered) + memory < this.now) {
      const id = this.oldestRemembered++;
      this.heldOf[id] = undefined;
      this.holders[id] = 0;
    }
  }

  /** One cycle of item `id`: every peer hot about it since before the cycle pushes it to its partners. */
  private spread(id: number): void {
    const before = this.hotSize[id]!;
    const fanout = this.options.fanout;
    // Room for everyone this cycle can infect, so the arrays are not replaced while they are walked.
    this.reserve(id, before * (fanout + 1));
    const hot = this.hotPeersOf[id]!;
    const contacts = this.contactsOf[id]!;
    const owed = this.owedOf[id];
    const feedback = this.options.feedback;
    const counter = this.options.loseInterest === "counter";
    const k = this.options.k;
    const rng = this.ctx.rng;
    // An item past its memory has been forgotten by everyone (expire): every copy is refused as too old.
    const held = this.heldOf[id];
    let kept = 0;
    let lostPeers = 0;
    this.pushes = this.unanswered = this.duplicates = this.infections = 0;
    for (let j = 0; j < before; j++) {
      const peer = hot[j]!;
      let count = contacts[j]!;
      let lost = false;
      // Timeouts of earlier pushes fell before this cycle's turns.
      let counted = 0;
      if (owed !== undefined && owed[peer]! > 0) {
        counted = owed[peer]!;
        owed[peer] = 0;
      }
      for (let i = 0; i < counted && !lost; i++) lost = counter ? ++count >= k : rng.next() < 1 / k;
      if (!lost) {
        const base = this.drawPartners(peer);
        counted = 0;
        for (let s = 0; s < fanout; s++) {
          const partner = this.partners[base + s]!;
          if (partner < 0) break;
          const answer = this.push(peer, partner, id, held);
          if (!feedback) {
            lost = counter ? ++count >= k : rng.next() < 1 / k;
            if (lost) break;
          } else if (answer === KNEW) counted++;
        }
        for (let i = 0; i < counted && !lost; i++) lost = counter ? ++count >= k : rng.next() < 1 / k;
      }
      if (lost) {
        lostPeers++;
        continue;
      }
      hot[kept] = peer;
      contacts[kept++] = count;
    }
    // Peers infected this cycle were appended behind the ones walked: they hold it from now on; close the gap.
    const size = this.hotSize[id]!;
    if (held !== undefined) for (let j = before; j < size; j++) held[hot[j]!] = HELD;
    hot.copyWithin(kept, before, size);
    contacts.copyWithin(kept, before, size);
    this.hotSize[id] = kept + size - before;
    // The tallies see the whole cycle of the item at once, so the net change of its hot peers decides whether it ended.
    const answered = this.pushes - this.unanswered;
    this.traffic.updates(id, this.pushes, this.unanswered);
    this.traffic.ack(answered);
    this.traffic.duplicate(this.duplicates);
    this.tallies.updateSent(id, false, answered);
    this.tallies.updateSent(id, true, this.unanswered);
    if (this.infections > 0) this.tallies.infected(id, this.now, this.infections);
    this.tallies.hot(id, this.infections - lostPeers);
  }

  /** Where `peer`'s partners of this cycle start in `partners`, drawn at its first push of the cycle. */
  private drawPartners(peer: PeerId): number {
    const fanout = this.options.fanout;
    if (peer >= this.drawnIn.length) this.growPeers(peer);
    const base = peer * fanout;
    if (this.drawnIn[peer] !== this.cycleNo) {
      this.drawnIn[peer] = this.cycleNo;
      for (let s = 0; s < fanout; s++) this.partners[base + s] = this.membership.partner(peer);
    }
    return base;
  }

  /** Item `id` goes from `from` to `to` and takes effect at once; the answer says whether `to` had it before the cycle. */
  private push(from: PeerId, to: PeerId, id: number, held: Uint8Array | undefined): number {
    this.pushes++;
    if (this.peers.online8[to] !== 1) {
      // An unanswered rumour keeps its spread open until its timeout, as a request waiting for its answer does.
      this.unanswered++;
      this.timeouts.add(from, id, this.now + this.options.requestTimeout);
      return NO_ANSWER;
    }
    if (held === undefined) {
      this.duplicates++;
      return KNEW;
    }
    const had = held[to]!;
    if (had !== 0) {
      this.duplicates++;
      return had === HELD ? KNEW : NEWS;
    }
    this.infections++;
    held[to] = FRESH;
    this.holders[id]!++;
    this.ctx.reached(id, to);
    const size = this.hotSize[id]!;
    this.hotPeersOf[id]![size] = to;
    this.contactsOf[id]![size] = 0;
    this.hotSize[id] = size + 1;
    return NEWS;
  }

  /** `peer` publishes: it holds item `id` and is hot about it (the cycle's pushes add their infections in `push`). */
  private infect(peer: PeerId, id: number, how: number): void {
    this.heldOf[id]![peer] = how;
    this.holders[id]!++;
    this.ctx.reached(id, peer);
    const size = this.hotSize[id]!;
    this.reserve(id, size + 1);
    this.hotPeersOf[id]![size] = peer;
    this.contactsOf[id]![size] = 0;
    this.hotSize[id] = size + 1;
    this.tallies.hot(id, 1);
  }

  /** Makes room for `n` hot peers of item `id`. */
  private reserve(id: number, n: number): void {
    if (id >= this.hotSize.length) {
      const grown = new Int32Array(Math.max(id + 1, 2 * this.hotSize.length));
      grown.set(this.hotSize);
      this.hotSize = grown;
    }
    const hot = this.hotPeersOf[id];
    if (hot !== undefined && hot.length >= n) return;
    const cap = Math.max(n, 16, hot === undefined ? 0 : 2 * hot.length);
    const freshHot = new Int32Array(cap);
    const freshContacts = new Int32Array(cap);
    if (hot !== undefined) {
      freshHot.set(hot);
      freshContacts.set(this.contactsOf[id]!);
    }
    this.hotPeersOf[id] = freshHot;
    this.contactsOf[id] = freshContacts;
  }

  /** Item `id` has no hot peer left: its arrays go. */
  private release(id: number): void {
    this.hotPeersOf[id] = undefined;
    this.contactsOf[id] = undefined;
    this.owedOf[id] = undefined;
  }

  private growPeers(peer: PeerId): void {
    const cap = Math.max(peer + 1, 2 * this.drawnIn.length);
    const drawn = new Int32Array(cap).fill(-1);
    drawn.set(this.drawnIn);
    this.drawnIn = drawn;
    const partners = new Int32Array(cap * this.options.fanout);
    partners.set(this.partners);
    this.partners = partners;
  }
}
