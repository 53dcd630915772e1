import type { z } from "zod";
import type { Rng } from "../engine/rng.js";
import type { PeerId } from "./peer.js";

/**
 * The seam between peerlab and an overlay. An overlay is one folder under
 * sim/overlays/ exporting an OverlayDefinition, plus one line in
 * sim/overlays/registry.ts. It keeps per-peer state and reacts to lifecycle
 * calls and messages; everything it does to the outside world goes through
 * its OverlayContext, so two simulations in one process never share state.
 */

/** Every overlay message has a literal `type`; the rest is the overlay's business. */
export interface Message {
  readonly type: string;
  /** The lookup this message works for, so its traffic is charged to that lookup. */
  readonly lookup?: number;
  /** The broadcast this message spreads, so its traffic is charged to that broadcast. */
  readonly broadcast?: number;
  /** Set by the context on requests: identifies the request. */
  readonly rpc?: RequestToken;
  /** Set by the context on replies: the request answered. */
  readonly replyTo?: RequestToken;
}

/** An opaque token for a request in flight; overlays only carry it around. */
export interface RequestToken {
  readonly __requestToken: unique symbol;
}

/** What the network needs to know about one message type. */
export interface MessageTypeInfo<M extends Message = Message> {
  /**
   * "lookup" traffic serves searches; "maintenance" keeps the overlay in
   * shape; "broadcast" spreads published items (workload.broadcasts). A
   * broadcast type is registered only in runs that publish, so overlays can
   * offer broadcasts without changing the results of runs that make none.
   */
  readonly category: "lookup" | "maintenance" | "broadcast";
  /** Size on the wire in bytes, headers included; a function when it depends on the content. */
  readonly bytes: number | ((msg: M) => number);
  /**
   * Repair traffic: the message copies stored items to restore replication
   * (replicate, hand-off, republish). It still counts in its category, and
   * also in the repair_messages and repair_bytes columns.
   */
  readonly repair?: boolean;
}

export type MessageTypes<M extends Message> = { readonly [T in M["type"]]: MessageTypeInfo<Extract<M, { type: T }>> };

/** A pending timer of one peer; cancelling after it fired does nothing. */
export type TimerHandle = number;

export interface OverlayContext<M extends Message> {
  /** Simulated time in ms. */
  now(): number;
  /** The overlay's own random stream. */
  readonly rng: Rng;
  /** Sends `msg` from one peer to another. It may be lost; the sender is never told. */
  send(from: PeerId, to: PeerId, msg: M): void;
  /**
   * Sends a request and waits for the answer. Exactly one of `onReply` or
   * `onTimeout` is called, unless `from` goes offline first (then neither is).
   * The context stamps the request id on `msg`, so pass a fresh object.
   * With `timeoutMs` Infinity no timer is kept and `onTimeout` is never
   * called: the caller keeps its own deadlines (a lookup times out all of its
   * requests with one timer) and ignores replies that come after them.
   */
  request(from: PeerId, to: PeerId, msg: M, timeoutMs: number, onReply: (reply: M) => void, onTimeout: () => void): void;
  /**
   * Moves `bytes` of data (a file, a stored value) from `from` to `to` over
   * their links (network.bandwidth): transmission at the carrier's rate,
   * then the propagation latency. Bound to `to`'s session like a request:
   * exactly one of `onDone` or `onAbort` is called, unless `to` goes offline
   * first (then neither is). Aborted when `from` leaves or crashes, or a
   * partition separates the two. Without network.bandwidth it takes the
   * latency only; overlays check `bandwidth` before using it, so runs
   * without it stay as they were. `traced` names the lookup the data is for
   * and what to call it ("block"): with metrics.traceLookups the transfer
   * then shows in that lookup's replay, when it starts and when it arrives
   * or is cut (its bytes are not charged to the lookup).
   */
  transfer(from: PeerId, to: PeerId, bytes: number, onDone: () => void, onAbort: () => void, traced?: { lookup: number; type: string }): void;
  /**
   * Reports `bytes` that `from` sent at flow level, for an overlay that moves data itself in time
   * steps rather than with `transfer` (BitTorrent's `execution: rounds`): they count in the
   * bandwidth meter's upload utilisation and throughput, as transfers' bytes do.
   */
  flowed?(from: PeerId, bytes: number): void;
  /** True when the scenario has network.bandwidth: overlays then move their data with `transfer`. */
  readonly bandwidth: boolean;
  /**
   * `peer`'s upload and download capacity in bytes per ms (network.bandwidth);
   * Infinity for an unlimited link and in runs without bandwidth. For bounds
   * an overlay reports (a minimum distribution time), not for protocol decisions.
   */
  linkCapacity?(peer: PeerId): { readonly upload: number; readonly download: number };
  /**
   * Where the latency model put `peer` (coordinates in ms, region name), or
   * undefined for models without a plane. For results the viewer draws (a
   * block's spread on the map), not for protocol decisions.
   */
  placementOf?(peer: PeerId): { readonly x: number; readonly y: number; readonly region: string | undefined } | undefined;
  /** Size in bytes of the object behind `key` (workload.fileSize), for `transfer`. */
  fileSize(key: number): number;
  /** Answers a request received by `from` from `to`. Pass a fresh `reply` object: the context stamps it. */
  reply(from: PeerId, to: PeerId, request: M, reply: M): void;
  /** Runs `fn` after `delayMs` unless `peer` leaves or crashes first. */
  setTimer(peer: PeerId, delayMs: number, fn: () => void): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
  /**
   * Runs `fn` after `delayMs`, bound to no peer: it runs whoever leaves or
   * crashes meanwhile (one timer serving many peers' work, which checks for
   * itself whose work still counts). Cancel it with cancelTimer.
   */
  setOverlayTimer(delayMs: number, fn: () => void): TimerHandle;
  /**
   * A timer for the hottest paths: runs `fn(peer, a, b)` after `delayMs`
   * unless `peer` leaves or crashes first, like setTimer, but `fn` can be one
   * function for all such timers (the integers `a` and `b`, 32-bit, say what
   * each is about) and the runtime keeps the timer in typed arrays, so
   * setting one allocates nothing. Returns a handle for cancelTimerWith.
   */
  setTimerWith(peer: PeerId, delayMs: number, fn: (peer: PeerId, a: number, b: number) => void, a: number, b: number): TimerHandle;
  /**
   * Cancels a timer of setTimerWith; nothing happens if it already fired or
   * was cancelled. A timeout that will find nothing left to do is better
   * cancelled than left to fire: it then costs no event.
   */
  cancelTimerWith(handle: TimerHandle): void;
  /**
   * Periodic maintenance: runs `fn` at `peer` every `intervalMs` for the rest
   * of the peer's session. The first run comes at a random phase in
   * [0, intervalMs) so peers do not act in lockstep (`start: "random-phase"`,
   * the default) or after one whole interval (`"after-interval"`). With
   * `jitter` j > 0 every gap instead is drawn uniformly from
   * [(1 − j)·intervalMs, (1 + j)·intervalMs], the first one included. The
   * runtime stops every periodic task while the fault timeline freezes
   * maintenance and restarts them (in peer order, each at its start rule)
   * when it resumes; overlays keep no freeze logic of their own. `fn` is
   * called with `peer`, so one function can serve every peer (no closure per
   * peer, which counts with a million of them).
   */
  every(peer: PeerId, intervalMs: number, fn: (peer: PeerId) => void, options?: { start?: "random-phase" | "after-interval"; jitter?: number }): void;
  /**
   * Cycle-driven execution (PeerSim's cycle engine, Demers et al.'s synchronous
   * cycles): runs `fn` every `intervalMs` for the rest of the run, the first
   * time one interval from now, bound to no peer. One engine event serves the
   * whole population, whose peers take their turns inside `fn`. Runs that
   * fall while the fault timeline freezes maintenance are skipped; the grid
   * of cycle times stays.
   */
  everyCycle(intervalMs: number, fn: () => void): void;
  /**
   * Accounts messages the overlay carried itself inside a cycle (`everyCycle`)
   * instead of sending them: `count` messages of `type`, `bytes` in all,
   * charged to `broadcast` when given; `undelivered` of them found their
   * receiver offline. They count in every traffic figure (messages and bytes
   * by type and category, per broadcast, messages_undelivered) as sent
   * messages do. Latency, loss, partitions and bandwidth do not apply: the
   * overlay applies each message's effect at once.
   */
  carried(type: M["type"], count: number, bytes: number, broadcast?: number, undelivered?: number): void;
  /** True while the fault timeline has maintenance frozen: work a protocol does on its own initiative (repairs) should wait. */
  maintenanceFrozen(): boolean;
  /** Registers work to do at the moment maintenance resumes, before periodic tasks restart (e.g. forgive silence while frozen). */
  onMaintenanceResumed(fn: () => void): void;
  /** A few peers the joining `peer` can contact, from the bootstrap host cache; some may be offline. */
  bootstrapContacts(peer: PeerId): PeerId[];
  /**
   * The value `holder` hands out for `key` (put it in the reply that carries
   * it): the key's content hash (sim/core/content-hash.ts), or a corrupted
   * value if `holder` tampers (scenario `adversaries:`).
   */
  valueFrom(holder: PeerId, key: number): number;
  /**
   * Reports that the requester of `lookup` got `value` for `key` from
   * `holder` after `hops` overlay hops: the runtime decides what that is.
   * The key's content hash: "verified", the lookup succeeded. Anything else
   * is tampered (tampered_received): "rejected" when honest peers verify
   * (tampered_detected; the lookup goes on, so look elsewhere and never ask
   * that holder again), otherwise "accepted" (tampered_accepted; the lookup
   * has failed, since the user got the wrong content). A lookup that ends
   * with a malicious holder's answer counts in lookups_ended_malicious.
   * Only "rejected" leaves the lookup running.
   */
  answer(lookup: number, key: number, holder: PeerId, value: number, hops: number): AnswerVerdict;
  /**
   * Reports that a lookup found what it looked for at `hops` overlay hops
   * with no value to check: the requester's own copy, a routing lookup that
   * reached the right peer (`endedAt`), a download whose blocks the protocol
   * verified itself. Values from other peers go through `answer`. The first
   * report of a lookup's end counts.
   */
  lookupSucceeded(lookup: number, hops: number, endedAt?: PeerId): void;
  /** Reports that a lookup has given up; `endedAt`: the peer whose answer it ended with, if any (for lookups_ended_malicious). */
  lookupFailed(lookup: number, endedAt?: PeerId): void;
  /**
   * One request made for `lookup` got no answer in time (a retry, not a hop).
   * Overlays whose definition sets `lookupTimeouts` report every one, so the
   * summary gets the distribution of timeouts per lookup.
   */
  lookupTimedOut(lookup: number): void;
  /**
   * Reports that broadcast `broadcast` reached `peer` (it now has the item).
   * Report every peer that gets it; repeats are ignored, so the overlay need
   * not remember whom it told.
   */
  reached(broadcast: number, peer: PeerId): void;
  /**
   * Starts a broadcast the protocol originates itself at `peer` (a mined
   * block, a rumour) carrying `bytes`; returns its id for Message.broadcast
   * and `reached`. Measured like workload broadcasts (coverage of the peers
   * online now, time to 50/90/100 %, traffic), watched for `watchMs` (default:
   * to the end of the run). Only for definitions with `originatesBroadcasts`.
   */
  startBroadcast(peer: PeerId, bytes: number, watchMs?: number): number;
  /**
   * The downloads operation kind: `peer` starts fetching an object of `bytes`
   * (a torrent's file, an IPFS file); returns the download's id. `label`
   * groups downloads in the summary and downloads.csv (a peer class such as
   * "slow", or "client-server"); default "all". Only for definitions with
   * `downloads`.
   */
  downloadStarted(peer: PeerId, bytes: number, label?: string): number;
  /** Download `download` has all its bytes; the first report of an end counts. */
  downloadCompleted(download: number): void;
  /** Download `download` gave up (its peer left, no source is left, ...). */
  downloadAborted(download: number): void;
  /** Adds to an overlay-specific counter in the summary and time series. */
  count(name: string, amount?: number): void;
  /**
   * Peers online now. Only for oracle bootstrap and observers: a protocol
   * that consulted it while running would be cheating.
   */
  livePeers(): readonly PeerId[];
  /** The malicious peers of the run and how they behave (scenario `adversaries:`); `active` is false when there are none. */
  readonly adversary: AdversaryView;
}

/** What the runtime made of an answer (OverlayContext.answer). */
export type AnswerVerdict =
  /** The true value: the lookup succeeded. */
  | "verified"
  /** A tampered value taken for the real one: the lookup failed. */
  | "accepted"
  /** A tampered value caught by verification: the lookup goes on. */
  | "rejected";

/**
 * Who misbehaves and how (scenario `adversaries:`, docs/faults.md). "drop"
 * needs nothing from the overlay: the context swallows every lookup-category
 * message (other than replies) that reaches a dropping peer. "misroute" and
 * "tamper" are the overlay's to carry out, at the places where its protocol
 * hands out contacts and values (a tamperer's values come from
 * `ctx.valueFrom`). Judging what a requester got is the runtime's
 * (`ctx.answer`), not this view's.
 */
export interface AdversaryView {
  /** True when the run has malicious peers; when false every other answer is "no". */
  readonly active: boolean;
  /** Honest peers check values against their content hash (`adversaries.verify`); `ctx.answer` applies it, a protocol may read it to behave accordingly. */
  readonly verify: boolean;
  isMalicious(peer: PeerId): boolean;
  /** `peer` is malicious and answers with wrong or far contacts, steering lookups toward its accomplices. */
  misroutes(peer: PeerId): boolean;
  /** `peer` is malicious and hands out corrupted values. */
  tampers(peer: PeerId): boolean;
  /** `peer` mines selfishly with the other selfish peers as one pool (blockchain overlay). */
  minesSelfishly?(peer: PeerId): boolean;
  /** `peer` takes every connection of its victims and keeps blocks from them (blockchain overlay). */
  eclipses?(peer: PeerId): boolean;
  /** Every malicious peer (online or not), in a fixed order: malicious peers collude and know each other. */
  readonly accomplices: readonly PeerId[];
  /** Counts one misrouted answer (adversary_misroutes). */
  misrouted(): void;
}

/** One overlay running in one simulation. */
export interface Overlay<M extends Message> {
  /** `peer` comes online; it knows only what `ctx.bootstrapContacts` tells it. */
  join(peer: PeerId): void;
  /** `peer` leaves gracefully: it may send goodbyes now, then goes offline. */
  leave(peer: PeerId): void;
  /** `peer` crashes: it goes offline silently and its session state is gone. */
  crash(peer: PeerId): void;
  /** `msg` from `from` arrives at online peer `to`. Replies to requests are routed by the context, not here. */
  deliver(to: PeerId, from: PeerId, msg: M): void;
  /**
   * Starts lookup `lookup` for `key` at online peer `peer`. Overlays that
   * declare no "lookup" message types may leave it out; scenarios then must
   * make no lookups (the scenario is rejected otherwise).
   */
  lookup?(peer: PeerId, key: number, lookup: number): void;
  /** The requester's deadline for `lookup` passed; forget it (it has been counted as failed). */
  lookupAbandoned?(peer: PeerId, lookup: number): void;
  /**
   * Online peer `peer` publishes a new item of `bytes` bytes, broadcast
   * `broadcast`: spread it to as many peers as the protocol can, reporting
   * each one reached with `ctx.reached`. Overlays without it cannot run
   * scenarios with workload.broadcasts (the scenario is rejected).
   */
  broadcast?(peer: PeerId, broadcast: number, bytes: number): void;
  /**
   * Oracle bootstrap: the listed peers are online at time 0 and the overlay
   * builds their routing state directly instead of running the join protocol.
   */
  buildOracle?(peers: readonly PeerId[]): void;
  /**
   * Figures the running overlay computes once at the end (a distribution
   * time against its bound), merged into summary.json `overlay` after the
   * definition's `summary`. Non-finite values are written as null.
   */
  summary?(): Record<string, number>;
  /**
   * Results of the overlay's own (a fork tree, a piece map, where provider
   * records live): plain JSON data, deterministic, asked for once when the
   * run ends and written as overlay.json in the run folder.
   */
  results?(): Record<string, unknown>;
  /** Numbers sampled into each time-series row, e.g. mean degree. Keys must be the same on every call. */
  sample?(): Record<string, number>;
  /** The overlay's graph as it is now, for observers, tests and topology pictures. */
  snapshot?(): OverlaySnapshot;
  /** Where workload key `key` sits in the identifier space, as a fraction in [0, 1) like PeerSnapshot.position (DHTs), so pictures can mark it. */
  keyPosition?(key: number): number;
  /**
   * Data availability now, for overlays that store items (DHTs with put/get):
   * how many items have been stored, and how many of those have at least one
   * copy on an online peer. When it answers, every time-series row gets
   * items_stored, items_available and availability columns; it answers
   * undefined on every call when the run stores nothing.
   */
  availability?(): StorageAvailability | undefined;
  /**
   * Where `peer` sits in the overlay's identifier space, as a fraction in
   * [0, 1), for faults that split the network by id range; overlays without
   * identifiers leave it out (peer numbers are used instead).
   */
  idFraction?(peer: PeerId): number;
}

export interface StorageAvailability {
  /** Items stored so far (puts that reached at least one holder). */
  readonly stored: number;
  /** Of those, items with at least one copy on an online peer now. */
  readonly available: number;
  /**
   * Of those, items with no copy left anywhere, online or offline, so they
   * can never come back (every replica gone). Overlays whose peers keep
   * items across sessions (on disk) count only items no peer holds.
   */
  readonly lost?: number;
}

/** One online peer's links in the overlay, and the keys it stores. */
export interface PeerSnapshot {
  readonly peer: PeerId;
  readonly links: readonly PeerId[];
  readonly keys: readonly number[];
  /** What each link is, parallel to `links` ("successor", "finger", "predecessor", "bucket", "neighbour", "index", ...). */
  readonly linkKinds?: readonly string[];
  /** Where the peer sits in its identifier space as a fraction in [0, 1) (DHTs); topology pictures place peers by it. */
  readonly position?: number;
  /** A role such as "index" or "super-peer"; absent for ordinary peers. */
  readonly role?: string;
}

export interface OverlaySnapshot {
  readonly peers: readonly PeerSnapshot[];
}

/** Everything a scenario can learn about one overlay, and how to build it. */
export interface OverlayDefinition<O extends { type: string } = any, M extends Message = any> {
  readonly name: O["type"];
  readonly description: string;
  /** Validates `overlay:` in a scenario; its `type` is the literal `name`. */
  readonly schema: z.ZodType<O>;
  readonly messageTypes: MessageTypes<M>;
  /** Counters the overlay may `count`, declared so each has a fixed column in timeseries.csv from the first row. */
  readonly counters: readonly string[];
  /**
   * True if the overlay reports each lookup's timeouts (`ctx.lookupTimedOut`):
   * summary.json then has `lookups.timeouts` and the 1st and 99th hop
   * percentiles, and timeseries.csv a `timeouts_mean` column.
   */
  readonly lookupTimeouts?: boolean;
  /**
   * The overlay reports downloads (ctx.downloadStarted, downloadCompleted,
   * downloadAborted): its runs get downloads.csv, a `downloads` section in
   * summary.json and download columns in timeseries.csv.
   */
  readonly downloads?: boolean;
  /**
   * The overlay starts broadcasts itself (ctx.startBroadcast): its broadcast
   * message types are registered and broadcasts measured even in runs
   * without workload.broadcasts.
   */
  readonly originatesBroadcasts?: boolean;
  /**
   * Message types that a run with these options never sends (a feature
   * switched off), left out of its traffic tables so that runs without the
   * feature keep the files they had before it existed.
   */
  unusedMessageTypes?(options: O): readonly string[];
  /**
   * Service peers the overlay needs (servers with a role, e.g. a central
   * index), from its options. The simulation creates and places them like
   * any peer, after the churn pool; they are online from time 0 (the overlay
   * gets `join` for each before any other event), never churned, never lookup
   * origins, not counted as live peers, and go down and up only as their
   * `outages` say (`crash`, then `join` again on restart).
   */
  services?(options: O): readonly ServiceSpec[];
  /**
   * Figures for summary.json derived from the overlay's counters over the
   * measured window (a utilisation, a mean), written under `overlay`.
   */
  summary?(options: O, counters: Readonly<Record<string, number>>, measuredSeconds: number): Record<string, number>;
  /**
   * Checks of the overlay's options against the rest of the scenario (a
   * replication factor larger than the network, an option that only makes
   * sense with network.bandwidth): each problem names its path under
   * `overlay` and what is allowed. Runs with the scenario's own checks, so a
   * problem is reported like any bad field (exit code 2).
   */
  checkScenario?(options: O, scenario: { readonly peers: number; readonly bandwidth: boolean; readonly bandwidthModel?: string; readonly loss: number; readonly faultKinds?: readonly string[] }): readonly { readonly path: readonly (string | number)[]; readonly message: string }[];
  create(options: O, ctx: OverlayContext<M>, world: OverlayWorld): Overlay<M>;
}

/** A group of service peers sharing one role. */
export interface ServiceSpec {
  readonly role: string;
  readonly count: number;
  /** Crashes (at `atMs`) and restarts (at `restartAtMs`, if given) of the peer numbered `index` in the role (0-based). */
  readonly outages?: readonly { readonly index: number; readonly atMs: number; readonly restartAtMs?: number }[];
}

/** Facts about the run an overlay may use when it is built. */
export interface OverlayWorld {
  /** Number of distinct keys in the workload (keys are 0 .. keyCount-1). */
  readonly keyCount: number;
  /** Popularity of each key (sums to 1), for placement strategies. */
  readonly keyPopularity: (key: number) => number;
  /** Every peer that can ever be online (the churn pool), for placing stored objects. */
  readonly allPeers: readonly PeerId[];
  /** The service peers of each role the definition asked for (see `OverlayDefinition.services`); empty otherwise. */
  readonly services: Readonly<Record<string, readonly PeerId[]>>;
}
