import { mean, percentile, round } from "../../metrics/stats.js";

/** Reach thresholds, as for broadcasts: a share of the nodes online when the transaction was created. */
const SHARES = [
  ["50", 0.5],
  ["90", 0.9],
  ["100", 1],
] as const;

/**
 * What transaction relay is measured by: for each transaction the time it
 * took to reach 50, 90 and 100 % of the nodes online when it was created
 * (its audience), and the traffic transaction relay cost against block relay.
 * Counted over the whole run, from the moment transactions start.
 */
export class TxRecord {
  private readonly createdMs: number[] = [];
  private readonly origin: number[] = [];
  private readonly audience: number[] = [];
  private readonly reached: number[] = [];
  private readonly reachMs: number[][] = [[], [], []];
  /** The first block that carried each transaction (-1: none yet). */
  private readonly firstBlock: number[] = [];
  /** Messages and bytes of transaction relay (txinv, txgetdata, tx) delivered. */
  txMessages = 0;
  txBytes = 0;
  /** Announcement messages (txinv) and the txids they carried: their ratio is the batching trickling buys. */
  invMessages = 0;
  invEntries = 0;
  /** Transactions a node received again after it had them. */
  duplicateTxs = 0;
  /** Bytes of block relay (announcements, requests, blocks, compact blocks) delivered, for the traffic share. */
  blockBytes = 0;

  /** A new transaction `tx` (ids dense, in order) at `origin`, `audience` nodes online. */
  created(tx: number, origin: number, nowMs: number, audience: number): void {
    this.createdMs[tx] = nowMs;
    this.origin[tx] = origin;
    this.audience[tx] = Math.max(1, audience);
    this.reached[tx] = 0;
    this.firstBlock[tx] = -1;
    for (const times of this.reachMs) times[tx] = NaN;
    this.reach(tx, nowMs);
  }

  /** One more node has `tx` (each node is reported once). */
  reach(tx: number, nowMs: number): void {
    const n = ++this.reached[tx]!;
    const elapsed = nowMs - this.createdMs[tx]!;
    SHARES.forEach(([, share], i) => {
      const times = this.reachMs[i]!;
      if (Number.isNaN(times[tx]!) && n >= Math.ceil(share * this.audience[tx]!)) times[tx] = elapsed;
    });
  }

  /** `block` carries `tx`. */
  included(tx: number, block: number): void {
    if (this.firstBlock[tx] === -1) this.firstBlock[tx] = block;
  }

  get count(): number {
    return this.createdMs.length;
  }

  /** summary.json `overlay` figures; times in ms over the transactions that reached each share. */
  summary(nodes: number): Record<string, number> {
    const out: Record<string, number> = { txCreated: this.count };
    SHARES.forEach(([name], i) => {
      const times = this.reachMs[i]!.filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
      out[`txReached${name}Share`] = this.count > 0 ? round(times.length / this.count, 6) : 0;
      out[`txReach${name}MeanMs`] = round(mean(times), 3);
      out[`txReach${name}P50Ms`] = round(percentile(times, 0.5), 3);
      out[`txReach${name}P90Ms`] = round(percentile(times, 0.9), 3);
    });
    const perNode = Math.max(1, nodes);
    out["txMessagesPerNode"] = round(this.txMessages / perNode, 4);
    out["txBytesPerNode"] = round(this.txBytes / perNode, 1);
    out["txInvMessagesPerNode"] = round(this.invMessages / perNode, 4);
    out["txIdsPerInv"] = this.invMessages > 0 ? round(this.invEntries / this.invMessages, 4) : 0;
    out["txDuplicates"] = this.duplicateTxs;
    const total = this.txBytes + this.blockBytes;
    out["txTrafficShare"] = total > 0 ? round(this.txBytes / total, 6) : 0;
    return out;
  }

  /** overlay.json `transactions`: the summary figures and one row per transaction. */
  toJson(nodes: number): Record<string, unknown> {
    const time = (t: number) => (Number.isNaN(t) ? null : round(t, 3));
    const txs = [];
    for (let tx = 0; tx < this.count; tx++) {
      txs.push({
        id: tx,
        origin: this.origin[tx]!,
        createdMs: round(this.createdMs[tx]!, 3),
        audience: this.audience[tx]!,
        reached: this.reached[tx]!,
        reach50Ms: time(this.reachMs[0]![tx]!),
        reach90Ms: time(this.reachMs[1]![tx]!),
        reach100Ms: time(this.reachMs[2]![tx]!),
        block: this.firstBlock[tx]! >= 0 ? this.firstBlock[tx]! : null,
      });
    }
    return { ...this.summary(nodes), blockRelayBytes: this.blockBytes, txs };
  }
}
