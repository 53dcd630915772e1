import type { PeerId } from "../../peers/population.js";
import { PairIndex } from "../../collections/pair-index.js";

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
 * free lists. Expired records are never returned; they are removed from
 * the oldest end of their list as new records arrive (records expire
 * roughly in the order they came), and by full reads.
 */
export class ProviderRecords {
  /** (server, key) → list. */
  private readonly listOf = new PairIndex(1 << 12);
  private listServer = new Int32Array(256);
  private listKey = new Int32Array(256);
  private listFirst = new Int32Array(256);
  private listLast = new Int32Array(256);
  private listCount = 0;
  private listFree = NONE;

  /** (list, provider) → entry. */
  private readonly entryOf = new PairIndex(1 << 14);
  private entryProvider = new Int32Array(1024);
  private entryExpires = new Float64Array(1024);
  private entryPrev = new Int32Array(1024);
  private entryNext = new Int32Array(1024);
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
      const known = this.entryExpires[e]!;
      if (known > nowMs && known >= expiresMs) return;
      this.unlink(list, e);
    } else {
      e = this.newEntry();
      this.entryOf.set(list, provider, e);
      this.entryProvider[e] = provider;
      this.held++;
    }
    this.entryExpires[e] = expiresMs;
    const last = this.listLast[list]!;
    this.entryPrev[e] = last;
    this.entryNext[e] = NONE;
    if (last === NONE) this.listFirst[list] = e;
    else this.entryNext[last] = e;
    this.listLast[list] = e;
    // Two removals per arrival outpace the arrivals, so expired records never pile up.
    for (let i = 0; i < 2; i++) {
      const first = this.listFirst[list]!;
      if (first === e || this.entryExpires[first]! > nowMs) break;
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
    for (let e = this.listLast[list]!; e !== NONE && out.length < limit; ) {
      const prev = this.entryPrev[e]!;
      if (this.entryExpires[e]! > nowMs) out.push(this.entryProvider[e]!);
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
    this.entryOf.delete(list, this.entryProvider[e]!);
    this.entryNext[e] = this.entryFree;
    this.entryFree = e;
    this.held--;
    if (this.listFirst[list] === NONE) {
      this.listOf.delete(this.listServer[list]!, this.listKey[list]!);
      this.listFirst[list] = this.listFree;
      this.listFree = list;
    }
  }

  private unlink(list: number, e: number): void {
    const prev = this.entryPrev[e]!;
    const next = this.entryNext[e]!;
    if (prev === NONE) this.listFirst[list] = next;
    else this.entryNext[prev] = next;
    if (next === NONE) this.listLast[list] = prev;
    else this.entryPrev[next] = prev;
  }

  private newList(server: PeerId, key: number): number {
    let list = this.listFree;
    if (list !== NONE) this.listFree = this.listFirst[list]!;
    else {
      if (this.listCount === this.listServer.length) {
        const n = this.listCount * 2;
        this.listServer = grown(this.listServer, n);
        this.listKey = grown(this.listKey, n);
        this.listFirst = grown(this.listFirst, n);
        this.listLast = grown(this.listLast, n);
      }
      list = this.listCount++;
    }
    this.listServer[list] = server;
    this.listKey[list] = key;
    this.listFirst[list] = this.listLast[list] = NONE;
    this.listOf.set(server, key, list);
    return list;
  }

  private newEntry(): number {
    const e = this.entryFree;
    if (e !== NONE) {
      this.entryFree = this.entryNext[e]!;
      return e;
    }
    if (this.entryCount === this.entryProvider.length) {
      const n = this.entryCount * 2;
      this.entryProvider = grown(this.entryProvider, n);
      this.entryPrev = grown(this.entryPrev, n);
      this.entryNext = grown(this.entryNext, n);
      const expires = new Float64Array(n);
      expires.set(this.entryExpires);
      this.entryExpires = expires;
    }
    return this.entryCount++;
  }
}

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(a);
  return out;
}
