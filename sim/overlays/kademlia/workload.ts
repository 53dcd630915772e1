import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { KadIds } from "./ids.js";
import { Lookup, type LookupEngine } from "./lookup.js";
import type { KademliaMessage } from "./messages.js";
import type { KademliaOptions } from "./options.js";
import type { KadStorage } from "./storage.js";
import type { LiveIndex } from "./truth.js";

/**
 * The workload's lookups on Kademlia: what one starts (FIND_NODE for a
 * random live peer, as PeerSim's workload does, or FIND_VALUE for a stored
 * key) and how its end is judged. A FIND_NODE succeeds if its target is
 * among the k closest peers that answered, and is also checked against the
 * true k closest (an observer's count); a FIND_VALUE's value goes to the
 * runtime (`ctx.answer`), and a found value is cached on the path (§2.3).
 * Maintenance lookups run on the same engine but are the maintenance's own.
 */
export class WorkloadLookups {
  /** Workload lookups in progress, by lookup id. */
  private readonly running = new Map<number, Lookup>();
  /** Target peer of each running FIND_NODE workload lookup, by lookup id. */
  private readonly targets = new Map<number, PeerId>();
  private readonly checkScratch: Int32Array;

  constructor(
    private readonly ctx: OverlayContext<KademliaMessage>,
    private readonly options: KademliaOptions,
    private readonly ids: KadIds,
    /** The online peers sorted by id, for the exact-k-closest check. */
    private readonly truth: LiveIndex,
    private readonly engine: LookupEngine,
    /** Put/get storage: FIND_VALUE lookups only. */
    private readonly storage: KadStorage | undefined,
  ) {
    this.checkScratch = new Int32Array(options.k);
  }

  /** Starts workload lookup `id` for `key` at `peer`. */
  start(peer: PeerId, key: number, id: number): void {
    if (this.options.lookups === "value") {
      const storage = this.storage!;
      // Its own copy: the value is checked like any other (a correct one ends the lookup at 0 hops).
      if (storage.has(peer, key) && this.ctx.answer(id, key, peer, this.ctx.valueFrom(peer, key), 0) !== "rejected") return;
      this.run(new Lookup(peer, "value", storage.keyId(key), id, key, (l, found) => this.valueDone(l, found)));
      return;
    }
    // FIND_NODE for a random live peer other than the origin (the PeerSim workload).
    const live = this.ctx.livePeers();
    let target = peer;
    if (live.length > 1) while (target === peer) target = live[this.ctx.rng.int(live.length)]!;
    const W = this.ids.W;
    this.targets.set(id, target);
    this.run(new Lookup(peer, "node", this.ids.ids.subarray(target * W, (target + 1) * W), id, -1, (l) => this.nodeDone(l)));
  }

  private run(lookup: Lookup): void {
    this.running.set(lookup.id, lookup);
    this.engine.start(lookup);
  }

  /** The workload gave up on lookup `id` (its deadline passed). */
  abandon(id: number): void {
    this.storage?.abandonFetch(id);
    const lookup = this.running.get(id);
    if (lookup) lookup.cancelled = true;
    this.running.delete(id);
    this.targets.delete(id);
  }

  /** `peer` went offline: the lookups it started are over, unreported (the workload's deadline fails them). */
  originGone(peer: PeerId): void {
    for (const [id, lookup] of this.running) {
      if (lookup.origin !== peer) continue;
      lookup.cancelled = true;
      this.running.delete(id);
      this.targets.delete(id);
    }
  }

  private ended(lookup: Lookup): void {
    this.running.delete(lookup.id);
    const c = this.ctx;
    c.count("lookupsFinished");
    c.count("lookupRpcs", lookup.rpcs);
    c.count("lookupRounds", lookup.rounds);
    if (lookup.timeouts > 0) c.count("lookupTimeouts", lookup.timeouts);
  }

  /** A FIND_NODE ended: success if the target is among the k closest that answered; checked against the true k closest. */
  private nodeDone(lookup: Lookup): void {
    this.ended(lookup);
    const target = this.targets.get(lookup.id)!;
    this.targets.delete(lookup.id);
    const k = this.options.k;
    const result = lookup.closestAnswered(k);
    this.ctx.count("lookupsChecked");
    if (this.isExactKClosest(lookup, result)) this.ctx.count("lookupsExactKClosest");
    // The lookup ended at the closest peer that answered.
    const endedAt = result.length > 0 ? result[0]! : -1;
    if (result.includes(target)) this.ctx.lookupSucceeded(lookup.id, lookup.depth[lookup.indexOf(target)]!, endedAt);
    else {
      this.ctx.count("targetNotFound");
      this.ctx.lookupFailed(lookup.id, endedAt);
    }
  }

  /** True if `result` is exactly the k online peers closest to the target (the origin left out). */
  private isExactKClosest(lookup: Lookup, result: readonly PeerId[]): boolean {
    const truth = this.checkScratch;
    const n = this.truth.kClosest(lookup.target, 0, this.options.k, lookup.origin, truth);
    if (n !== result.length) return false;
    // Both hold distinct peers, so equal sizes and every true one found means equal sets.
    for (let i = 0; i < n; i++) if (!result.includes(truth[i]!)) return false;
    return true;
  }

  /**
   * A FIND_VALUE's requester got `value` from `holder`: the runtime judges it
   * (`ctx.answer`), and the answer says whether the search is over (false: a
   * tampered value was caught; look on).
   */
  acceptValue(lookup: Lookup, holder: PeerId, value: number, hops: number): boolean {
    if (lookup.cancelled) return true; // nobody waits for the answer any more
    if (!this.ctx.bandwidth) return this.ctx.answer(lookup.id, lookup.key, holder, value, hops) !== "rejected";
    // With network.bandwidth the value's bytes follow the answer as a transfer: the search ends here
    // and the lookup is reported when they have arrived (a value then found tampered fails it, as
    // does a cut transfer); either way the lookup ended with `holder`'s answer.
    const { id, key } = lookup;
    this.storage!.fetchValue(
      holder,
      lookup.origin,
      key,
      id,
      () => {
        if (this.ctx.answer(id, key, holder, value, hops) === "rejected") this.ctx.lookupFailed(id, holder);
      },
      () => this.ctx.lookupFailed(id, holder),
    );
    return true;
  }

  /** A FIND_VALUE ended; a value found has already been reported (acceptValue). */
  private valueDone(lookup: Lookup, found: boolean): void {
    this.ended(lookup);
    if (!found) {
      this.ctx.count("valueNotFound");
      // Observer's note: was the value ever stored at all (its publisher may not have been online yet)?
      if (!this.storage!.wasStored(lookup.key)) this.ctx.count("valueNeverStored");
      const closest = lookup.closestAnswered(1);
      this.ctx.lookupFailed(lookup.id, closest.length > 0 ? closest[0]! : -1);
      return;
    }
    // A corrupted value is not passed on (the store keeps no content, so a cached copy would launder it).
    const adversary = this.ctx.adversary;
    if (this.options.cacheOnPath && !(adversary.active && adversary.tampers(lookup.holder))) this.cacheOnPath(lookup);
  }

  /**
   * §2.3: the origin stores the value at the closest peer it asked that did
   * not have it. Its copy expires after `expire` halved once for every peer
   * the lookup saw closer to the key, so caches far from the key go fast.
   */
  private cacheOnPath(lookup: Lookup): void {
    let closer = 0;
    for (let i = 0; i < lookup.len; i++) {
      const e = lookup.order[i]!;
      const s = lookup.state[e];
      if (s === 2 /* answered without the value */) {
        const now = this.ctx.now();
        const expiresMs = now + this.options.expire / 2 ** closer;
        this.ctx.count("valuesCached");
        this.storage!.sendStore(lookup.origin, lookup.peers[e]!, lookup.key, now, expiresMs, true, false);
        return;
      }
      if (s !== 3) closer++;
    }
  }
}

