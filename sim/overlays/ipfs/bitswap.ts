import type { PeerId } from "../../peers/population.js";
import { contentHash } from "../../core/content-hash.js";
import type { OverlayContext, TimerHandle } from "../../core/protocol.js";
import type { Blockstore } from "./blockstore.js";
import type { Connections } from "./connections.js";
import type { Dags, FileDag } from "./dag.js";
import type { BitswapMessage, IpfsMessage } from "./messages.js";
import type { IpfsOptions } from "./options.js";
import type { RetrievalStats } from "./stats.js";
import { WantLedgers } from "./want-ledgers.js";
import type { Handlers } from "../../core/handlers.js";

type Ctx = OverlayContext<IpfsMessage>;

/** Bytes of a block message beyond the block: framing, envelope and the block's CID prefix. */
const BLOCK_OVERHEAD = 44 + 20 + 36;

/** One retrieval of one file by one peer (a Bitswap session). */
interface Session {
  readonly peer: PeerId;
  readonly dag: FileDag;
  readonly lookup: number;
  readonly download: number;
  readonly startMs: number;
  /** Blocks still missing. */
  remaining: number;
  /** Blocks known to be needed (their parent is held) and not asked for from a session peer. */
  readonly wanted: number[];
  /** Blocks asked for with WANT_BLOCK, and from whom. */
  readonly inFlight: Map<number, PeerId>;
  /**
   * Every peer each block was asked of (WANT_HAVE or WANT_BLOCK), each once, in the order they were
   * asked: they get a CANCEL once it arrives. A list, not a set: a broadcast adds dozens of peers
   * at once, known to be distinct, and a set cost hashing and regrowing for each.
   */
  readonly askedOf: Map<number, PeerId[]>;
  /** Peers that said HAVE or were named as providers, in the order they came. */
  readonly peers: PeerId[];
  /** Peers that sent a block that failed its hash check: never asked again. */
  readonly bad: Set<PeerId>;
  /** The blocks each peer said it lacks, as peer·blocks + block. */
  readonly lacks: Set<number>;
  next: number;
  firstProviderMs: number;
  firstBlockMs: number;
  walkMs: number;
  walkStartMs: number;
  /** How the first provider was found: by the broadcast, through the DHT, or the peer had the file. */
  via: "" | "broadcast" | "dht";
  hops: number;
  progressMs: number;
  search: { cancel(): void } | undefined;
  /** Ends the timing of the walk in progress (its first providers arrived, it ended, or the retrieval did). */
  stopWalkClock: () => void;
  providerTimer: TimerHandle;
  done: boolean;
  /** Connections when the retrieval started (for messages per connected peer). */
  readonly connected: number;
  wantHaves: number;
  cancels: number;
}

/**
 * Bitswap (the libp2p Bitswap 1.2 spec, and the session logic of Boxo, the
 * Go implementation):
 *
 * 1. A retrieval wants the root block first: WANT_HAVE to every connected
 *    peer (no DONT_HAVE asked for), and a timer of `providerSearchDelay`.
 * 2. A peer that has the block answers HAVE and joins the session; the
 *    session sends it WANT_BLOCK and it sends the block (a transfer).
 *    A peer that has it not remembers the want (its ledger) and sends HAVE
 *    if it gets the block later, until a CANCEL.
 * 3. If the timer fires with no HAVE, the peer walks the DHT for providers,
 *    dials up to `maxProviders` of them and adds them to the session; the
 *    first gets WANT_BLOCK at once.
 * 4. Each block is checked against its CID. A good one is stored (cache),
 *    every other peer asked for it gets a CANCEL, and the blocks it links
 *    to are wanted next, spread over the session's peers (WANT_BLOCK, which
 *    gets DONT_HAVE from a peer that lacks it). A corrupted block (a
 *    tampering peer) is dropped, its sender leaves the session and the
 *    block is asked of another peer.
 * 5. A session with no progress for `rebroadcastInterval` asks again: wants
 *    in flight go back to the queue, the first one is broadcast, and the
 *    DHT is searched again.
 */
export class Bitswap {
  private readonly sessions = new Map<number, Session>();
  /** Each peer's ledger: who wants which block (by CID number) of it, and for which retrieval. */
  private readonly ledgers = new WantLedgers();
  /** Scratch: the connections a broadcast goes to. */
  private connected = new Int32Array(128);

  constructor(
    private readonly ctx: Ctx,
    private readonly options: IpfsOptions,
    private readonly dags: Dags,
    private readonly store: Blockstore,
    private readonly connections: Connections,
    private readonly stats: RetrievalStats,
    /** Walks the DHT for up to `want` providers of `file`'s root, passing each batch as it comes (with the hops it took), then `done`. */
    private readonly findProviders: (
      peer: PeerId,
      file: number,
      lookup: number,
      want: number,
      onProviders: (providers: readonly PeerId[], hops: number) => void,
      done: () => void,
    ) => { cancel(): void },
    private readonly dial: (peer: PeerId, other: PeerId, lookup: number, done: (ok: boolean) => void) => void,
    /** `peer` has the whole file now (it may provide it). */
    private readonly fetched: (peer: PeerId, file: number) => void,
  ) {}

  /** Sessions running now (for tests). */
  get running(): number {
    return this.sessions.size;
  }

  // ── Requester ─────────────────────────────────────────────────────

  /** `peer` retrieves `file` for workload lookup `lookup`. */
  retrieve(peer: PeerId, file: number, lookup: number): void {
    const dag = this.dags.of(file);
    const download = this.ctx.downloadStarted(peer, dag.bytes);
    if (this.store.hasAll(peer, file)) {
      this.ctx.count("retrievalsLocal");
      this.ctx.lookupSucceeded(lookup, 0);
      this.ctx.downloadCompleted(download);
      this.stats.local();
      return;
    }
    const now = this.ctx.now();
    const s: Session = {
      peer,
      dag,
      lookup,
      download,
      startMs: now,
      remaining: 0,
      wanted: [],
      inFlight: new Map(),
      askedOf: new Map(),
      peers: [],
      bad: new Set(),
      lacks: new Set(),
      next: 0,
      firstProviderMs: -1,
      firstBlockMs: -1,
      walkMs: 0,
      walkStartMs: 0,
      via: "",
      hops: 1,
      progressMs: now,
      search: undefined,
      stopWalkClock: () => {},
      providerTimer: -1,
      done: false,
      connected: this.connections.count(peer),
      wantHaves: 0,
      cancels: 0,
    };
    for (let b = 0; b < dag.blocks; b++) if (!this.store.has(peer, file, b)) s.remaining++;
    this.sessions.set(lookup, s);
    if (this.store.has(peer, file, 0)) this.discover(s, 0);
    else s.wanted.push(0);
    this.broadcast(s);
    s.providerTimer = this.ctx.setTimerWith(peer, this.options.bitswap.providerSearchDelay, this.providerDelayOver, lookup, 0);
    this.scheduleTick(s);
  }

  /** The blocks `b` links to that the peer lacks are wanted; those it has are followed down. */
  private discover(s: Session, b: number): void {
    const [from, to] = s.dag.children(b);
    for (let c = from; c < to; c++) {
      if (this.store.has(s.peer, s.dag.file, c)) this.discover(s, c);
      else s.wanted.push(c);
    }
  }

  /** WANT_HAVE for the first wanted block to every connected peer not asked for it yet. */
  private broadcast(s: Session): void {
    const block = s.wanted[0];
    if (block === undefined) return;
    const asked = this.asked(s, block);
    // Connections are distinct, so only peers asked before this broadcast can repeat.
    const before = asked.length;
    const n = this.connections.count(s.peer);
    const connected = (this.connected = this.connections.copyTo(s.peer, this.connected));
    // One message object serves every peer (a broadcast reaches dozens): `send` keeps no
    // ownership of it and nothing on the way writes to a Bitswap message.
    let msg: BitswapMessage | undefined;
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const other = connected[i]!;
      if ((before > 0 && asked.lastIndexOf(other, before - 1) >= 0) || s.bad.has(other)) continue;
      asked.push(other);
      msg ??= { type: "wantHave", lookup: s.lookup, file: s.dag.file, block, sendDontHave: false };
      this.ctx.send(s.peer, other, msg);
      sent++;
    }
    if (sent === 0) return;
    s.wantHaves += sent;
    this.ctx.count("wantHaveSent", sent);
  }

  private asked(s: Session, block: number): PeerId[] {
    let list = s.askedOf.get(block);
    if (list === undefined) s.askedOf.set(block, (list = []));
    return list;
  }

  /**
   * The session's timers name it by its retrieval, not hold it: a retrieval
   * ends within seconds, and a timer still holding its session (its maps,
   * lists and callbacks) for the rest of a minute would keep all of that
   * past the young generation's collections, to be collected in the old
   * one, at many times the cost.
   */
  private readonly providerDelayOver = (_peer: PeerId, lookup: number) => {
    const s = this.sessions.get(lookup);
    if (s !== undefined && s.peers.length === 0) this.searchProviders(s);
  };

  private readonly tickDue = (_peer: PeerId, lookup: number) => {
    const s = this.sessions.get(lookup);
    if (s !== undefined) this.tick(s);
  };

  private scheduleTick(s: Session): void {
    this.ctx.setTimerWith(s.peer, this.options.bitswap.rebroadcastInterval, this.tickDue, s.lookup, 0);
  }

  private tick(s: Session): void {
    if (this.ctx.now() - s.progressMs >= this.options.bitswap.rebroadcastInterval) {
      this.ctx.count("rebroadcasts");
      // Wants that went unanswered (a peer that left, a lost message) go back to the queue.
      for (const block of s.inFlight.keys()) s.wanted.unshift(block);
      s.inFlight.clear();
      s.lacks.clear();
      this.broadcast(s);
      this.searchProviders(s);
      this.dispatch(s);
    }
    this.scheduleTick(s);
  }

  private searchProviders(s: Session): void {
    if (s.search !== undefined || s.done) return;
    this.ctx.count("providerSearches");
    s.walkStartMs = this.ctx.now();
    let found = 0;
    // The walk's share of a retrieval: from its start to its first providers (it may go on looking for more).
    let timed = false;
    const stopClock = () => {
      if (timed) return;
      timed = true;
      s.walkMs += this.ctx.now() - s.walkStartMs;
    };
    s.stopWalkClock = stopClock;
    s.search = this.findProviders(
      s.peer,
      s.dag.file,
      s.lookup,
      // Peers caught sending corrupted blocks may be named again: ask for enough to have maxProviders others.
      this.options.bitswap.maxProviders + s.bad.size,
      (providers, hops) => {
        if (s.done) return;
        for (const provider of providers) {
          if (provider === s.peer || s.bad.has(provider)) continue;
          if (found === this.options.bitswap.maxProviders) break;
          found++;
          stopClock();
          if (s.firstProviderMs < 0) s.firstProviderMs = this.ctx.now() - s.startMs;
          if (s.via === "") {
            s.via = "dht";
            s.hops = hops + 1;
          }
          if (this.connections.has(s.peer, provider)) this.addPeer(s, provider);
          else {
            this.dial(s.peer, provider, s.lookup, (ok) => {
              if (ok && !s.done) this.addPeer(s, provider);
            });
          }
        }
      },
      () => {
        s.search = undefined;
        stopClock();
        if (!s.done && found === 0) this.ctx.count("providerSearchesEmpty");
      },
    );
  }

  private addPeer(s: Session, other: PeerId): void {
    if (s.peers.includes(other) || s.bad.has(other)) return;
    s.peers.push(other);
    this.dispatch(s);
  }

  /** A session left with no peer to ask (it lost them, or they all sent bad blocks) walks the DHT, once its first delay is over. */
  private ifStranded(s: Session): void {
    if (s.peers.length === 0 && this.ctx.now() - s.startMs >= this.options.bitswap.providerSearchDelay) this.searchProviders(s);
  }

  /** Each wanted block goes to the next session peer (round robin) not known to lack it, as WANT_BLOCK. */
  private dispatch(s: Session): void {
    if (s.peers.length === 0) return;
    let kept = 0;
    for (let i = 0; i < s.wanted.length; i++) {
      const block = s.wanted[i]!;
      if (s.inFlight.has(block) || this.store.has(s.peer, s.dag.file, block)) continue;
      const target = this.pickPeer(s, block);
      if (target < 0) {
        s.wanted[kept++] = block;
        continue;
      }
      s.inFlight.set(block, target);
      const asked = this.asked(s, block);
      if (!asked.includes(target)) asked.push(target);
      this.ctx.count("wantBlockSent");
      this.ctx.send(s.peer, target, { type: "wantBlock", lookup: s.lookup, file: s.dag.file, block });
    }
    s.wanted.length = kept;
  }

  private pickPeer(s: Session, block: number): PeerId {
    const n = s.peers.length;
    for (let i = 0; i < n; i++) {
      const candidate = s.peers[(s.next + i) % n]!;
      if (s.lacks.has(candidate * s.dag.blocks + block)) continue;
      s.next = (s.next + i + 1) % n;
      return candidate;
    }
    return -1;
  }

  private sessionFor(peer: PeerId, msg: BitswapMessage): Session | undefined {
    const s = msg.lookup === undefined ? undefined : this.sessions.get(msg.lookup);
    return s !== undefined && s.peer === peer && !s.done && s.dag.file === (msg as { file?: number }).file ? s : undefined;
  }

  private onHave(to: PeerId, from: PeerId, msg: Extract<BitswapMessage, { type: "have" }>): void {
    const s = this.sessionFor(to, msg);
    if (s === undefined) return;
    if (s.firstProviderMs < 0) s.firstProviderMs = this.ctx.now() - s.startMs;
    if (s.via === "") s.via = "broadcast";
    this.addPeer(s, from);
  }

  private onDontHave(to: PeerId, from: PeerId, msg: Extract<BitswapMessage, { type: "dontHave" }>): void {
    const s = this.sessionFor(to, msg);
    if (s === undefined) return;
    s.lacks.add(from * s.dag.blocks + msg.block);
    if (s.inFlight.get(msg.block) === from) {
      s.inFlight.delete(msg.block);
      s.wanted.push(msg.block);
      this.dispatch(s);
    }
  }

  /** Block `block` of `file` sent by `from` has arrived at `to` carrying `value` (its hash). */
  private arrived(to: PeerId, from: PeerId, lookup: number, file: number, block: number, value: number): void {
    const s = this.sessions.get(lookup);
    if (s === undefined || s.done || s.peer !== to || s.dag.file !== file) return;
    if (s.inFlight.get(block) === from) s.inFlight.delete(block);
    if (this.store.has(to, file, block)) return;
    if (value !== contentHash(s.dag.cid(block))) {
      // The hash does not match the CID asked for: a corrupted block. Its sender is never asked again.
      this.ctx.count("blocksRejected");
      s.bad.add(from);
      const at = s.peers.indexOf(from);
      if (at >= 0) s.peers.splice(at, 1);
      s.wanted.push(block);
      this.dispatch(s);
      this.ifStranded(s);
      return;
    }
    this.ctx.count("blocksReceived");
    s.progressMs = this.ctx.now();
    if (block === 0 && s.firstBlockMs < 0) s.firstBlockMs = this.ctx.now() - s.startMs;
    this.stored(to, file, block);
    const asked = s.askedOf.get(block);
    if (asked !== undefined) {
      // One CANCEL object for every peer asked (as for the broadcast).
      let cancel: BitswapMessage | undefined;
      let sent = 0;
      for (const other of asked) {
        if (other === from) continue;
        cancel ??= { type: "cancel", lookup, file, block };
        this.ctx.send(to, other, cancel);
        sent++;
      }
      if (sent > 0) {
        s.cancels += sent;
        this.ctx.count("cancelSent", sent);
      }
      s.askedOf.delete(block);
    }
    s.remaining--;
    if (s.remaining === 0) {
      this.finish(s, true);
      return;
    }
    this.discover(s, block);
    this.dispatch(s);
  }

  /** The transfer of a block to `to` was cut (its sender left, or a partition): ask another peer. */
  private lost(to: PeerId, from: PeerId, lookup: number, block: number): void {
    const s = this.sessions.get(lookup);
    if (s === undefined || s.done || s.peer !== to) return;
    if (s.inFlight.get(block) === from) s.inFlight.delete(block);
    const at = s.peers.indexOf(from);
    if (at >= 0) s.peers.splice(at, 1);
    if (!this.store.has(to, s.dag.file, block)) s.wanted.push(block);
    this.dispatch(s);
    this.ifStranded(s);
  }

  /** `peer` has stored a block: peers whose wants for it it remembers hear HAVE. */
  private stored(peer: PeerId, file: number, block: number): void {
    this.store.add(peer, file, block, false);
    const ledgers = this.ledgers;
    const n = ledgers.take(peer, this.dags.of(file).cid(block));
    for (let i = 0; i < n; i++) {
      const other = ledgers.taken[i]!;
      const lookup = ledgers.takenLookups[i]!;
      this.ctx.count("haveSent");
      this.ctx.send(peer, other, lookup >= 0 ? { type: "have", lookup, file, block } : { type: "have", file, block });
    }
  }

  private finish(s: Session, ok: boolean): void {
    s.done = true;
    this.sessions.delete(s.lookup);
    this.ctx.cancelTimerWith(s.providerTimer);
    s.search?.cancel();
    if (s.search !== undefined) s.stopWalkClock();
    s.search = undefined;
    this.stats.record({
      ok,
      via: s.via,
      totalMs: this.ctx.now() - s.startMs,
      firstProviderMs: s.firstProviderMs,
      firstBlockMs: s.firstBlockMs,
      walkMs: s.walkMs,
      connected: s.connected,
      wantHaves: s.wantHaves,
      cancels: s.cancels,
    });
    if (ok) {
      this.ctx.count(s.via === "dht" ? "retrievalsViaDht" : "retrievalsViaBroadcast");
      this.ctx.lookupSucceeded(s.lookup, s.hops);
      this.ctx.downloadCompleted(s.download);
      this.fetched(s.peer, s.dag.file);
      return;
    }
    this.ctx.downloadAborted(s.download);
  }

  /** The workload gave up on `lookup` (its deadline passed): withdraw every want still out. */
  abandon(lookup: number): void {
    const s = this.sessions.get(lookup);
    if (s === undefined || s.done) return;
    for (const [block, asked] of s.askedOf) {
      for (const other of asked) {
        s.cancels++;
        this.ctx.count("cancelSent");
        this.ctx.send(s.peer, other, { type: "cancel", lookup, file: s.dag.file, block });
      }
    }
    this.finish(s, false);
  }

  /** `peer` went offline: its retrievals end unfinished and its ledger is gone. */
  gone(peer: PeerId): void {
    this.ledgers.drop(peer);
    for (const s of [...this.sessions.values()]) if (s.peer === peer) this.finish(s, false);
  }

  // ── Responder ─────────────────────────────────────────────────────

  /** Bitswap's own messages; dials are the overlay's (connection management). */
  readonly handlers: Handlers<BitswapMessage, Exclude<BitswapMessage["type"], "dial" | "dialed">> = {
    wantHave: (to, from, msg) => this.onWantHave(to, from, msg),
    wantBlock: (to, from, msg) => this.onWantBlock(to, from, msg),
    have: (to, from, msg) => this.onHave(to, from, msg),
    dontHave: (to, from, msg) => this.onDontHave(to, from, msg),
    cancel: (to, from, msg) => this.ledgers.cancel(to, this.dags.of(msg.file).cid(msg.block), from),
  };

  /** True if `peer` says it has the block: it does, or it tampers (a tampering peer claims every block). */
  private claims(peer: PeerId, file: number, block: number): boolean {
    if (this.store.has(peer, file, block)) return true;
    const adversary = this.ctx.adversary;
    return adversary.active && adversary.tampers(peer);
  }

  private onWantHave(to: PeerId, from: PeerId, msg: Extract<BitswapMessage, { type: "wantHave" }>): void {
    if (this.claims(to, msg.file, msg.block)) {
      this.ctx.count("haveSent");
      this.ctx.send(to, from, { type: "have", lookup: msg.lookup, file: msg.file, block: msg.block });
      return;
    }
    if (msg.sendDontHave) {
      this.ctx.count("dontHaveSent");
      this.ctx.send(to, from, { type: "dontHave", lookup: msg.lookup, file: msg.file, block: msg.block });
    }
    this.remember(to, from, msg);
  }

  private remember(peer: PeerId, wanter: PeerId, msg: { lookup?: number; file: number; block: number }): void {
    this.ledgers.want(peer, this.dags.of(msg.file).cid(msg.block), wanter, msg.lookup ?? -1);
  }

  private onWantBlock(to: PeerId, from: PeerId, msg: Extract<BitswapMessage, { type: "wantBlock" }>): void {
    const { file, block } = msg;
    if (!this.claims(to, file, block)) {
      this.ctx.count("dontHaveSent");
      this.ctx.send(to, from, { type: "dontHave", lookup: msg.lookup, file, block });
      this.remember(to, from, msg);
      return;
    }
    const dag = this.dags.of(file);
    const cid = dag.cid(block);
    // What the sender hands out: the block itself, or a corrupted one from a tampering peer.
    const value = this.ctx.valueFrom(to, cid);
    const lookup = msg.lookup ?? -1;
    this.ctx.count("blocksSent");
    this.ctx.transfer(
      to,
      from,
      dag.size(block) + BLOCK_OVERHEAD,
      () => this.arrived(from, to, lookup, file, block, value),
      () => this.lost(from, to, lookup, block),
      lookup >= 0 ? { lookup, type: "block" } : undefined,
    );
  }
}
