import type { PeerId } from "../../peers/population.js";
import type { MessageTypes, OverlayContext } from "../../core/protocol.js";
import { peerSalt } from "../shared/id-space.js";
import { Buckets } from "./buckets.js";
import { KadIds } from "./ids.js";
import { Lookup, LookupEngine } from "./lookup.js";
import { Maintenance } from "./maintenance.js";
import { kademliaMessageTypes, type KademliaMessage } from "./messages.js";
import { kademliaSchema, type KademliaOptions } from "./options.js";
import { fillBucketsFromOracle } from "./oracle.js";
import { ProviderPuts } from "./provider-puts.js";
import { ProviderRecords } from "./provider-records.js";
import { LiveIndex } from "./truth.js";
import { answersOnly, dispatcher, refused } from "../../core/handlers.js";

/**
 * Kademlia as a content-routing service for another protocol (IPFS): the
 * routing table, join and refresh of the Kademlia overlay, driven through a
 * programmatic API instead of workload lookups, plus provider records
 * (libp2p's ADD_PROVIDER and GET_PROVIDERS):
 *
 * - `provide(peer, key)`: a node lookup for the key's id, then ADD_PROVIDER
 *   to each of the k closest servers that answered; each keeps the record
 *   (key → provider) until it expires.
 * - `findProviders(peer, key)`: an iterative lookup for the key's id; each
 *   server holding records for it answers with the providers it knows
 *   (FIND_VALUE with the records as the value), passed on at once, until
 *   enough providers are known or the walk ends.
 *
 * **Server and client mode.** Peers that cannot be dialled (behind a NAT)
 * run the DHT as clients: they look up and provide like anyone, but never
 * answer DHT requests, and servers never put them in their buckets (they
 * learn contacts only from servers). A joining peer bootstraps from the
 * servers among its contacts.
 *
 * Records live in the server's datastore, so they outlast its sessions;
 * they lapse `providerExpire` after the provider last published them.
 * The module reuses the overlay's buckets, lookup engine and maintenance
 * unchanged, so both overlays route identically.
 */

export type ProviderDhtMessage =
  | KademliaMessage
  | { type: "addProvider"; lookup?: number; key: number; provider: PeerId; expiresMs: number }
  | { type: "providerAdded"; lookup?: number };

const H = 44 + 20;
/** A provider record on the wire: the key (a CID, 36 bytes) and the provider's peer id and addresses (about 100 bytes). */
const RECORD = 36 + 100;

export const providerDhtMessageTypes: MessageTypes<ProviderDhtMessage> = {
  ...kademliaMessageTypes,
  addProvider: { category: "maintenance", bytes: H + RECORD },
  providerAdded: { category: "maintenance", bytes: H },
};

/**
 * The Kademlia options behind a provider DHT: the composing protocol's own
 * choices, the overlay's defaults for the rest, and no ping of a full
 * bucket's oldest contact when a newcomer arrives (§4.1's delayed probing:
 * libp2p's routing table does not ping on insertion either).
 */
export function kademliaRouting(
  bootstrap: "join" | "oracle",
  dht: { k: number; alpha: number; requestTimeout: number; refreshInterval: number; idBits: number },
): KademliaOptions {
  const { k, alpha, requestTimeout, refreshInterval, idBits } = dht;
  return kademliaSchema.parse({ type: "kademlia", bootstrap, lookups: "node", probe: "delayed", k, alpha, requestTimeout, refreshInterval, idBits, replacements: k });
}

export interface ProviderDhtOptions {
  /** Options of the Kademlia routing underneath (k, α, request timeout, refresh, id width, digits, bootstrap). */
  readonly kademlia: KademliaOptions;
  /** How long a provider record lasts after its provider published it (ms). */
  readonly providerExpireMs: number;
  /** True for peers that run the DHT as servers (dialable); false for clients. */
  readonly isServer: (peer: PeerId) => boolean;
  /** Told when `to` has answered a DHT request of `from`, before the requester acts on the answer (the two have talked). */
  readonly answered?: (from: PeerId, to: PeerId) => void;
}

/** What a walk cost: its RPCs, timeouts and depth (rounds of RPCs in sequence). */
export interface WalkStats {
  readonly rpcs: number;
  readonly timeouts: number;
  readonly hops: number;
}

export class ProviderDht {
  readonly ids: KadIds;
  readonly buckets: Buckets;
  private readonly maintenance: Maintenance;
  private readonly engine: LookupEngine;
  private readonly options: KademliaOptions;
  /** Provider records held by each server. */
  private readonly records = new ProviderRecords();
  /** Answers to GET_PROVIDERS in flight, by the token the reply carries as its value. */
  private readonly answers: PendingAnswers;
  /** Servers online now, sorted by id (oracle bootstrap only). */
  private readonly truth: LiveIndex;
  private readonly keyScratch: Uint32Array;
  private readonly answered: (from: PeerId, to: PeerId) => void;

  constructor(
    private readonly ctx: OverlayContext<ProviderDhtMessage>,
    private readonly dhtOptions: ProviderDhtOptions,
    capacity: number,
  ) {
    const options = dhtOptions.kademlia;
    this.options = options;
    this.ids = new KadIds(options.idBits, capacity, peerSalt(options.ids, ctx.rng));
    this.buckets = new Buckets(this.ids, options, capacity);
    this.truth = new LiveIndex(this.ids);
    this.keyScratch = new Uint32Array(this.ids.W);
    this.answers = new PendingAnswers(options.requestTimeout);
    const isServer = dhtOptions.isServer;
    const answered = dhtOptions.answered ?? (() => {});
    this.answered = answered;
    // A joiner bootstraps only from servers: clients do not answer DHT requests.
    // Answers to lookups' requests reach `learn` below, puts' their own callbacks; the one other request, a ping, says here.
    const routingCtx: OverlayContext<KademliaMessage> = Object.create(ctx, {
      bootstrapContacts: { value: (peer: PeerId) => ctx.bootstrapContacts(peer).filter((c) => isServer(c)) },
      request: {
        // The ping's wrapper is made in a function of its own: a closure made here would cost every request a context object.
        value: (from: PeerId, to: PeerId, msg: KademliaMessage, timeoutMs: number, onReply: (reply: KademliaMessage) => void, onTimeout: () => void) =>
          ctx.request(from, to, msg, timeoutMs, msg.type === "ping" ? pingAnswered(answered, from, to, onReply) : (onReply as (reply: ProviderDhtMessage) => void), onTimeout),
      },
    });
    const learn = (peer: PeerId, contact: PeerId) => {
      answered(peer, contact);
      if (isServer(contact)) this.maintenance.learn(peer, contact);
    };
    const failed = (peer: PeerId, contact: PeerId) => this.maintenance.failed(peer, contact);
    const accept = (lookup: Lookup, _holder: PeerId, value: number, hops: number) => {
      const providers = this.answers.take(value);
      const search = this.searches.get(lookup);
      if (lookup.cancelled || search === undefined) return true;
      const fresh = (providers ?? []).filter((p) => !search.found.includes(p));
      if (fresh.length > 0) {
        search.found.push(...fresh);
        if (search.firstHops < 0) search.firstHops = hops;
        search.onProviders(fresh, hops);
      }
      // Like libp2p's FindProvidersAsync, the walk goes on until it has enough providers or runs out of peers;
      // a server that answered with records leaves the k closest (it is not asked again).
      return search.found.length >= search.want;
    };
    const contactsRead = (contacts: readonly PeerId[]) => {
      if (contacts !== EMPTY) this.spareContacts.push(contacts as PeerId[]);
    };
    this.engine = new LookupEngine(routingCtx, options, this.ids, this.buckets, learn, failed, accept, contactsRead);
    const findNodes = (origin: PeerId, target: Uint32Array, done: (lookup: Lookup) => void) => {
      this.ctx.count("dhtMaintenanceLookups");
      this.engine.start(new Lookup(origin, "maintenance", target, -1, -1, done));
    };
    this.maintenance = new Maintenance(routingCtx, options, this.ids, this.buckets, findNodes, undefined);
  }

  /** GET_PROVIDERS walks in progress: the providers found so far, how many are wanted, and whom to tell. */
  private readonly searches = new Map<Lookup, { found: PeerId[]; want: number; firstHops: number; onProviders: (providers: readonly PeerId[], hops: number) => void }>();

  private ensure(peer: PeerId): void {
    this.ids.ensure(peer);
    this.buckets.ensure(peer);
  }

  // ── Lifecycle ─────────────────────────────────────────────────────

  join(peer: PeerId): void {
    this.ensure(peer);
    if (this.dhtOptions.isServer(peer)) this.truth.insert(peer);
    this.buckets.reset(peer);
    this.maintenance.join(peer);
  }

  /** `peer`, online with an empty table, bootstraps again; its periodic work keeps running as it is. */
  rejoin(peer: PeerId): void {
    this.buckets.reset(peer);
    this.maintenance.rebootstrap(peer);
  }

  gone(peer: PeerId): void {
    this.engine.originGone(peer);
    if (this.truth.indexOf(peer) >= 0) this.truth.remove(peer);
    this.buckets.reset(peer);
  }

  /**
   * Oracle bootstrap: servers get buckets filled from the live servers;
   * each client copies the table of the server closest to it (and that
   * server), which has the same buckets near the client's own id.
   */
  buildOracle(peers: readonly PeerId[]): void {
    for (const p of peers) this.ensure(p);
    const servers = peers.filter((p) => this.dhtOptions.isServer(p));
    this.truth.build(servers);
    fillBucketsFromOracle(this.truth, this.buckets, this.ids, this.ctx.rng);
    const nearest = new Int32Array(1);
    const W = this.ids.W;
    for (const p of peers) {
      if (this.dhtOptions.isServer(p)) continue;
      if (this.truth.kClosest(this.ids.ids.subarray(p * W, (p + 1) * W), 0, 1, -1, nearest) === 0) continue;
      const server = nearest[0]!;
      this.buckets.seen(p, server);
      this.buckets.forEachContact(server, (c) => {
        if (c !== p) this.buckets.seen(p, c);
      });
    }
    for (const peer of peers) this.ctx.setTimer(peer, 0, () => this.maintenance.joined(peer));
  }

  // ── Messages ──────────────────────────────────────────────────────

  /** A DHT request reaches `to`. Clients do not speak the DHT protocol: they never answer. */
  /** Only servers answer; a server learns of the servers that contact it (clients stay out of routing tables). */
  deliver(to: PeerId, from: PeerId, msg: ProviderDhtMessage): void {
    if (!this.dhtOptions.isServer(to)) return;
    if (this.dhtOptions.isServer(from)) this.maintenance.learn(to, from);
    this.dispatch(to, from, msg);
  }

  // Replies carry `replyTo: undefined` and requests `rpc: undefined`: room for the token the context stamps on
  // them (a property added later would not fit the object and cost each message a second allocation).
  private readonly dispatch = dispatcher<ProviderDhtMessage>("provider DHT", {
    findNode: (to, from, msg) => this.ctx.reply(to, from, msg, this.nodes(to, msg.target, from, msg.lookup)),
    maintenanceFindNode: (to, from, msg) => this.ctx.reply(to, from, msg, { type: "maintenanceNodes", contacts: this.closest(to, msg.target, from), replyTo: undefined } as ProviderDhtMessage),
    findValue: (to, from, msg) => {
      const providers = this.providersAt(to, msg.key, this.options.k);
      if (providers.length > 0) {
        const token = this.answers.put(providers, this.ctx.now());
        this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: EMPTY, found: true, value: token, replyTo: undefined } as ProviderDhtMessage);
      } else this.ctx.reply(to, from, msg, this.nodes(to, msg.target, from, msg.lookup));
    },
    ping: (to, from, msg) => this.ctx.reply(to, from, msg, { type: "pong" }),
    addProvider: (to, from, msg) => {
      this.keepRecord(to, msg.key, msg.provider, msg.expiresMs);
      this.ctx.reply(to, from, msg, { type: "providerAdded", lookup: msg.lookup, replyTo: undefined } as ProviderDhtMessage);
    },
    ...refused("provider DHT", ["store", "storeRepair"], "the provider DHT keeps provider records, not values"),
    ...answersOnly("provider DHT", ["nodes", "maintenanceNodes", "pong", "stored", "providerAdded"]),
  });

  private nodes(peer: PeerId, target: Uint32Array, asker: PeerId, lookup: number): ProviderDhtMessage {
    return { type: "nodes", lookup, contacts: this.closest(peer, target, asker), found: false, value: 0, replyTo: undefined } as ProviderDhtMessage;
  }

  private readonly scratch = new Int32Array(255);

  /**
   * Contact lists of replies their requester has read, for the next replies: a reply's list, k numbers,
   * was the biggest allocation per RPC. (A reply that is never read, lost or too late, leaves its list to the GC.)
   */
  private readonly spareContacts: PeerId[][] = [];

  private closest(peer: PeerId, target: Uint32Array, asker: PeerId): PeerId[] {
    const n = this.buckets.closest(peer, target, 0, this.options.k, asker, this.scratch);
    const out = this.spareContacts.pop() ?? [];
    for (let i = 0; i < n; i++) out[i] = this.scratch[i]!;
    out.length = n;
    return out;
  }

  // ── Provider records ──────────────────────────────────────────────

  private keepRecord(server: PeerId, key: number, provider: PeerId, expiresMs: number): void {
    this.records.keep(server, key, provider, expiresMs, this.ctx.now());
  }

  /**
   * The unexpired providers `server` knows for `key`, the most recently
   * recorded last. At most `limit` (the most recent): an answer names at
   * most k providers, so a popular file's thousands of records do not all
   * travel in one reply.
   */
  providersAt(server: PeerId, key: number, limit = Infinity): PeerId[] {
    return this.records.providers(server, key, this.ctx.now(), limit);
  }

  /** Servers holding an unexpired record for `key` (for overlay.json and tests; reads every server). */
  recordHolders(key: number, servers: readonly PeerId[]): PeerId[] {
    return servers.filter((s) => this.providersAt(s, key).length > 0);
  }

  /** The id of content key `key` (a fresh array). */
  keyId(key: number): Uint32Array {
    const out = new Uint32Array(this.ids.W);
    this.ids.keyId(key, out, 0);
    return out;
  }

  /** Where `key` sits in the id space, as a fraction in [0, 1). */
  keyPosition(key: number): number {
    this.ids.keyId(key, this.keyScratch, 0);
    return this.ids.position(this.keyScratch, 0);
  }

  /** Where `peer` sits in the id space, as a fraction in [0, 1). */
  peerPosition(peer: PeerId): number {
    this.ensure(peer);
    return this.ids.position(this.ids.ids, peer * this.ids.W);
  }

  /**
   * `peer` announces that it provides `key`: a walk to the k closest
   * servers, then ADD_PROVIDER to each. `done` gets the time the walk took
   * and the time the puts took after it (every put answered or timed out),
   * and how many servers acknowledged the record.
   */
  provide(peer: PeerId, key: number, done: (walkMs: number, putMs: number, stored: number) => void): void {
    const start = this.ctx.now();
    const expiresMs = start + this.dhtOptions.providerExpireMs;
    this.engine.start(
      new Lookup(peer, "maintenance", this.keyId(key), -1, -1, (lookup) => {
        const walked = this.ctx.now();
        const closest = lookup.closestAnswered(this.options.k);
        // A provider that is itself one of the k closest servers (closer than the k-th found, or fewer found) keeps its own record.
        if (this.dhtOptions.isServer(peer) && this.amongClosest(peer, lookup.target, closest)) this.keepRecord(peer, key, peer, expiresMs);
        if (closest.length === 0) {
          done(walked - start, 0, 0);
          return;
        }
        new ProviderPuts(this.ctx, peer, closest, { key, expiresMs }, this.options.requestTimeout, this.answered, (putMs, stored) => done(walked - start, putMs, stored));
      }),
    );
  }

  private amongClosest(peer: PeerId, target: Uint32Array, closest: readonly PeerId[]): boolean {
    if (closest.length < this.options.k) return true;
    const { ids } = this;
    const W = ids.W;
    return ids.cmpDistance(target, 0, ids.ids, peer * W, ids.ids, closest[closest.length - 1]! * W) < 0;
  }

  /**
   * `peer` looks for providers of `key`, up to `want` of them. Each server
   * holding records answers with the providers it knows; `onProviders` gets
   * the new ones at once (the caller may contact them while the walk goes
   * on). `done` comes once, when the walk ends: with every provider found
   * and what the walk cost (hops: the depth of the first server that had
   * records, or of the deepest one asked if none had). The walk's requests
   * are charged to workload lookup `lookup` (-1: none).
   */
  findProviders(
    peer: PeerId,
    key: number,
    lookup: number,
    want: number,
    onProviders: (providers: readonly PeerId[], hops: number) => void,
    done: (providers: readonly PeerId[], walk: WalkStats) => void,
  ): { cancel(): void } {
    const search = { found: [] as PeerId[], want, firstHops: -1, onProviders };
    // A server holding records itself starts from its own datastore.
    if (this.dhtOptions.isServer(peer)) {
      const own = this.providersAt(peer, key, this.options.k).filter((p) => p !== peer);
      if (own.length > 0) {
        search.found.push(...own);
        search.firstHops = 0;
        onProviders(own, 0);
      }
    }
    const walk = new Lookup(peer, "value", this.keyId(key), lookup, key, (l) => {
      this.searches.delete(l);
      done(search.found, { rpcs: l.rpcs, timeouts: l.timeouts, hops: search.firstHops >= 0 ? search.firstHops : l.rounds });
    });
    if (search.found.length >= want) {
      done(search.found, { rpcs: 0, timeouts: 0, hops: 0 });
      return { cancel: () => {} };
    }
    this.searches.set(walk, search);
    this.engine.start(walk);
    return {
      cancel: () => {
        walk.cancelled = true;
        this.searches.delete(walk);
      },
    };
  }
}

/** A ping's reply callback that first tells `answered` the two peers have talked. */
function pingAnswered(answered: (from: PeerId, to: PeerId) => void, from: PeerId, to: PeerId, onReply: (reply: KademliaMessage) => void) {
  return (reply: ProviderDhtMessage) => {
    answered(from, to);
    onReply(reply as KademliaMessage);
  };
}

const EMPTY: readonly PeerId[] = [];

/**
 * Providers named in GET_PROVIDERS replies on their way, by token (1, 2,
 * ...; the reply carries its token as its value). A reply is read once, or
 * never: when it arrives after its request timed out, after the walk
 * ended, or at a peer that has left. Such answers are dropped once
 * `lifetimeMs` (the request timeout) has passed since they were sent: by
 * then every reply sent with them has arrived, since a reply arriving
 * later than its request's timeout is thrown away.
 */
class PendingAnswers {
  private providers: (readonly PeerId[] | undefined)[] = [];
  private sentMs: number[] = [];
  /** The token of providers[0]. */
  private base = 1;
  /** Entries before it have been read or dropped. */
  private head = 0;

  constructor(private readonly lifetimeMs: number) {}

  /** Files `providers`, sent now; returns its token. */
  put(providers: readonly PeerId[], nowMs: number): number {
    this.dropStale(nowMs);
    this.providers.push(providers);
    this.sentMs.push(nowMs);
    return this.base + this.providers.length - 1;
  }

  /** The providers of `token`, once. */
  take(token: number): readonly PeerId[] | undefined {
    const i = token - this.base;
    if (i < this.head || i >= this.providers.length) return undefined;
    const providers = this.providers[i];
    this.providers[i] = undefined;
    return providers;
  }

  private dropStale(nowMs: number): void {
    const { providers, sentMs } = this;
    while (this.head < providers.length && (providers[this.head] === undefined || sentMs[this.head]! + this.lifetimeMs < nowMs)) providers[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= providers.length) {
      providers.splice(0, this.head);
      sentMs.splice(0, this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}
