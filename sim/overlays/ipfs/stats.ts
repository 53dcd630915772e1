/**
 * What IPFS runs report beyond the shared lookup and download metrics, for
 * overlay.json: per retrieval, time to the first provider, to the first
 * block (the root) and to the whole file, the part spent walking the DHT,
 * and the Bitswap messages per connected peer; per publication, the walk
 * and the puts of provider records. Distributions are summarised by mean
 * and percentiles (nearest rank), in ms.
 */

export interface RetrievalRecord {
  readonly ok: boolean;
  readonly via: "" | "broadcast" | "dht";
  readonly totalMs: number;
  /** -1 when none was found. */
  readonly firstProviderMs: number;
  readonly firstBlockMs: number;
  readonly walkMs: number;
  readonly connected: number;
  readonly wantHaves: number;
  readonly cancels: number;
}

export interface Distribution {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, mean: round(sum / sorted.length), p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

export class RetrievalStats {
  private readonly records: RetrievalRecord[] = [];
  private localCount = 0;

  record(r: RetrievalRecord): void {
    this.records.push(r);
  }

  /** A retrieval the peer answered from its own store. */
  local(): void {
    this.localCount++;
  }

  summary(): Record<string, unknown> {
    const done = this.records.filter((r) => r.ok);
    const viaDht = done.filter((r) => r.via === "dht");
    const walkShare = (rs: readonly RetrievalRecord[]) => {
      let walk = 0;
      let total = 0;
      for (const r of rs) {
        walk += r.walkMs;
        total += r.totalMs;
      }
      return total > 0 ? round(walk / total) : 0;
    };
    const perPeer = this.records.filter((r) => r.connected > 0);
    const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : round(xs.reduce((a, b) => a + b, 0) / xs.length));
    return {
      started: this.records.length + this.localCount,
      fromOwnStore: this.localCount,
      completed: done.length,
      unfinished: this.records.length - done.length,
      viaBroadcast: done.length - viaDht.length,
      viaDht: viaDht.length,
      wholeFileMs: distribution(done.map((r) => r.totalMs)),
      firstProviderMs: distribution(done.filter((r) => r.firstProviderMs >= 0).map((r) => r.firstProviderMs)),
      firstBlockMs: distribution(done.filter((r) => r.firstBlockMs >= 0).map((r) => r.firstBlockMs)),
      dhtWalkMs: distribution(viaDht.map((r) => r.walkMs)),
      wholeFileViaDhtMs: distribution(viaDht.map((r) => r.totalMs)),
      dhtWalkShareOfLatency: walkShare(viaDht),
      connectedPeersMean: mean(perPeer.map((r) => r.connected)),
      wantHavePerConnectedPeer: mean(perPeer.map((r) => r.wantHaves / r.connected)),
      cancelPerConnectedPeer: mean(perPeer.map((r) => r.cancels / r.connected)),
      messagesPerConnectedPeer: mean(perPeer.map((r) => (r.wantHaves + r.cancels) / r.connected)),
    };
  }
}

export class PublishStats {
  private readonly walks: number[] = [];
  private readonly puts: number[] = [];
  private readonly stored: number[] = [];

  record(walkMs: number, putMs: number, stored: number): void {
    this.walks.push(walkMs);
    this.puts.push(putMs);
    this.stored.push(stored);
  }

  summary(): Record<string, unknown> {
    const total = this.walks.map((w, i) => w + this.puts[i]!);
    let walk = 0;
    let all = 0;
    for (let i = 0; i < this.walks.length; i++) {
      walk += this.walks[i]!;
      all += total[i]!;
    }
    return {
      count: this.walks.length,
      totalMs: distribution(total),
      walkMs: distribution(this.walks),
      putMs: distribution(this.puts),
      walkShare: all > 0 ? round(walk / all) : 0,
      recordsStored: distribution(this.stored),
    };
  }
}
