import type { OverlayContext } from "../../core/protocol.js";
import type { ItemStore } from "./items.js";
import { ACK_BYTES, digestBytes, updateBytes, wantBytes, type GossipMessage } from "./messages.js";

/**
 * The messages of one cycle (execution: cycles), counted as they are carried
 * and handed to `ctx.carried` when the cycle ends: once per type, and once
 * per item for updates (each is charged to its broadcast), so the traffic
 * tables and messages per peer mean what they mean in the event mode. The
 * `updatesSent` and `duplicates` counters are added the same way.
 */
export class CycleTraffic {
  private updatesOf = new Float64Array(64);
  private undeliveredOf = new Float64Array(64);
  /** Items with updates this cycle. */
  private touched = new Int32Array(64);
  private touchedSize = 0;
  private acks = 0;
  private digests = 0;
  private digestByteSum = 0;
  private digestsUndelivered = 0;
  private wants = 0;
  private wantByteSum = 0;
  private duplicates = 0;
  private updatesSent = 0;

  constructor(
    private readonly ctx: OverlayContext<GossipMessage>,
    private readonly items: ItemStore,
  ) {}

  /** One update of item `id`; `delivered` false: its receiver is offline. */
  update(id: number, delivered: boolean): void {
    this.updates(id, 1, delivered ? 0 : 1);
  }

  /** `count` updates of item `id`, `undelivered` of them to offline receivers. */
  updates(id: number, count: number, undelivered: number): void {
    if (count === 0) return;
    if (id >= this.updatesOf.length) this.grow(id);
    this.updatesSent += count;
    this.undeliveredOf[id]! += undelivered;
    const before = this.updatesOf[id]!;
    this.updatesOf[id] = before + count;
    if (before === 0) {
      if (this.touchedSize === this.touched.length) {
        const fresh = new Int32Array(2 * this.touched.length);
        fresh.set(this.touched);
        this.touched = fresh;
      }
      this.touched[this.touchedSize++] = id;
    }
  }

  ack(count = 1): void {
    this.acks += count;
  }

  /** Updates their receivers had already, or too old to accept. */
  duplicate(count = 1): void {
    this.duplicates += count;
  }

  digest(ids: number, delivered: boolean): void {
    this.digests++;
    this.digestByteSum += digestBytes(ids);
    if (!delivered) this.digestsUndelivered++;
  }

  want(ids: number): void {
    this.wants++;
    this.wantByteSum += wantBytes(ids);
  }

  /** Counts the cycle's messages as the event mode's sends would have been counted, then starts afresh. */
  account(): void {
    const ctx = this.ctx;
    for (let i = 0; i < this.touchedSize; i++) {
      const id = this.touched[i]!;
      const n = this.updatesOf[id]!;
      ctx.carried("update", n, n * updateBytes(this.items.bytesOf(id)), id, this.undeliveredOf[id]!);
      this.updatesOf[id] = 0;
      this.undeliveredOf[id] = 0;
    }
    this.touchedSize = 0;
    ctx.carried("ack", this.acks, this.acks * ACK_BYTES);
    ctx.carried("digest", this.digests, this.digestByteSum, undefined, this.digestsUndelivered);
    ctx.carried("want", this.wants, this.wantByteSum);
    if (this.updatesSent > 0) ctx.count("updatesSent", this.updatesSent);
    if (this.duplicates > 0) ctx.count("duplicates", this.duplicates);
    this.acks = this.digests = this.digestByteSum = this.digestsUndelivered = this.wants = this.wantByteSum = 0;
    this.updatesSent = this.duplicates = 0;
  }

  private grow(id: number): void {
    let cap = this.updatesOf.length;
    while (cap <= id) cap *= 2;
    const grown = (old: Float64Array) => {
      const fresh = new Float64Array(cap);
      fresh.set(old);
      return fresh;
    };
    this.updatesOf = grown(this.updatesOf);
    this.undeliveredOf = grown(this.undeliveredOf);
  }
}
