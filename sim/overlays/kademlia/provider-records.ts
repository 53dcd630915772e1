import type { PeerId } from "../../peers/population.js";
import { PairIndex } from "../../collections/pair-index.js";
import { grownInt32 } from "../../collections/grow.js";

const NONE = -1;

/**
 * The provider records every DHT server holds: for each (server, key), the
 * providers that announced the key to it, each with its expiry, in the
 * order they were last announced (a re-announcement moves a provider to
 * the end).
 *
 * A popular file has thousands of providers and every GET_PROVIDERS reads
 * the most recent few, so a (server, key)'s records form a doubly linked
 * list read from its most recent end; an index from (list, provider) to the
 * entry makes an announcement O(1). Everything lives in typed arrays with
 * free lists, each list's and each entry's fields side by side (one cache
 * miss to reach them). Expired records are never returned; they are removed from
 * the oldest end of their list as new records arrive (records expire
 * roughly in the order they came), and by full reads.
 */
export class ProviderRecords {
  /** (server, key) → list. */
  private readonly listOf = new PairIndex(1 << 12);
  /** List l is lists[4l..4l+3]: the server, the key, its oldest and newest entry. */
  private lists = new Int32Array(256 * 4);
  private listCount = 0;
  private listFree = NONE;

  /** (list, provider) → entry. */
  private readonly entryOf = new PairIndex(1 << 14);
  /** Entry e is entries[4e..4e+3]: the provider, the previous and next entry of its list. */
  private entries = new Int32Array(1024 * 4);
  private expires = new Float64Array(1024);
  private entryCount = 0;
  private entryFree = NONE;
  /** Records held now (expired ones not yet removed included). */
  private held = 0;

  /** `server` records that `provider` provides `key` until `expiresMs`; one it holds already keeps the later expiry. */
  keep(server: PeerId, key: number, provider: PeerId, expiresMs: number, nowMs: number): void {
    let list = this.listOf.get(server, key);
    if (list === NONE) list = this.newList(server, key);
    let e = this.entryOf.get(list, provider);
    if (e !== NONE) {
      const known = this.expires[e]!;
      if (known > nowMs && known >= expiresMs) return;
      this.unlink(list, e);
    } else {
      e = this.newEntry();
      this.entryOf.set(list, provider, e);
      this.entries[e * 4 + PROVIDER] = provider;
      this.held++;
    }
    this.expires[e] = expiresMs;
    const lists = this.lists;
    const entries = this.entries;
    const last = lists[list * 4 + NEWEST]!;
    entries[e * 4 + PREV] = last;
    entries[e * 4 + NEXT] = NONE;
    if (last === NONE) lists[list * 4 + OLDEST] = e;
    else entries[last * 4 + NEXT] = e;
    lists[list * 4 + NEWEST] = e;
    // Two removals per arrival outpace the arrivals, so expired records never pile up.
    for (let i = 0; i < 2; i++) {
      const first = lists[list * 4 + OLDEST]!;
      if (first === e || this.expires[first]! > nowMs) break;
      this.remove(list, first);
    }
  }

  /**
   * The unexpired providers `server` holds for `key`, the most recently
   * announced last; at most `limit` (the most recent ones).
   */
  providers(server: PeerId, key: number, nowMs: number, limit = Infinity): PeerId[] {
    const list = this.listOf.get(server, key);
    if (list === NONE) return [];
    const out: PeerId[] = [];
    for (let e = this.lists[list * 4 + NEWEST]!; e !== NONE && out.length < limit; ) {
      const prev = this.entries[e * 4 + PREV]!;
      if (this.expires[e]! > nowMs) out.push(this.entries[e * 4 + PROVIDER]!);
      else if (limit === Infinity) this.remove(list, e);
      e = prev;
    }
    return out.reverse();
  }

  /** Records held now, over every server (expired ones not yet removed included; for tests). */
  get size(): number {
    return this.held;
  }

  private remove(list: number, e: number): void {
    this.unlink(list, e);
    this.entryOf.delete(list, this.entries[e * 4 + PROVIDER]!);
    this.entries[e * 4 + NEXT] = this.entryFree;
    this.entryFree = e;
    this.held--;
    const lists = this.lists;
    if (lists[list * 4 + OLDEST] === NONE) {
      this.listOf.delete(lists[list * 4 + SERVER]!, lists[list * 4 + KEY]!);
      lists[list * 4 + OLDEST] = this.listFree;
      this.listFree = list;
    }
  }

  private unlink(list: number, e: number): void {
    const entries = this.entries;
    const prev = entries[e * 4 + PREV]!;
    const next = entries[e * 4 + NEXT]!;
    if (prev === NONE) this.lists[list * 4 + OLDEST] = next;
    else entries[prev * 4 + NEXT] = next;
    if (next === NONE) this.lists[list * 4 + NEWEST] = prev;
    else entries[next * 4 + PREV] = prev;
  }

  private newList(server: PeerId, key: number): number {
    let list = this.listFree;
    if (list !== NONE) this.listFree = this.lists[list * 4 + OLDEST]!;
    else {
      if ((this.listCount + 1) * 4 > this.lists.length) this.lists = grownInt32(this.lists, this.lists.length * 2);
      list = this.listCount++;
    }
    const lists = this.lists;
    lists[list * 4 + SERVER] = server;
    lists[list * 4 + KEY] = key;
    lists[list * 4 + OLDEST] = lists[list * 4 + NEWEST] = NONE;
    this.listOf.set(server, key, list);
    return list;
  }

  private newEntry(): number {
    const e = this.entryFree;
    if (e !== NONE) {
      this.entryFree = this.entries[e * 4 + NEXT]!;
      return e;
    }
    if (this.entryCount === this.expires.length) {
      const n = this.entryCount * 2;
      this.entries = grownInt32(this.entries, n * 4);
      const expires = new Float64Array(n);
      expires.set(this.expires);
      this.expires = expires;
    }
    return this.entryCount++;
  }
}

// A list's fields.
const SERVER = 0;
const KEY = 1;
const OLDEST = 2;
const NEWEST = 3;
// An entry's fields.
const PROVIDER = 0;
const PREV = 1;
const NEXT = 2;
