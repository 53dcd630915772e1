import type { PeerState } from "./state.js";

/**
 * Swarm-wide piece availability for the time series: copies of each piece
 * among the peers taking part now (seeds included), kept up to date on
 * every change so a sample costs one pass over the pieces. Entropy is the
 * Shannon entropy of the distribution of copies over pieces, divided by
 * log(pieces): 1 when every piece has as many copies as any other, lower
 * when some pieces are rare (a swarm near starvation). pieces_missing
 * counts pieces no participating peer has: the swarm cannot finish.
 */
export class SwarmStats {
  readonly copies: Float64Array;
  leechers = 0;
  seeds = 0;

  constructor(private readonly pieces: number) {
    this.copies = new Float64Array(pieces);
  }

  /** `state` starts (+1) or stops (−1) taking part. */
  participates(state: PeerState, sign: 1 | -1): void {
    if (state.complete) this.seeds += sign;
    else this.leechers += sign;
    const have = state.have;
    for (let p = 0; p < this.pieces; p++) if (have[p] === 1) this.copies[p]! += sign;
  }

  pieceCompleted(piece: number): void {
    this.copies[piece]!++;
  }

  /** A participating leecher became a seed. */
  completed(): void {
    this.leechers--;
    this.seeds++;
  }

  sample(): Record<string, number> {
    let min = Infinity;
    let total = 0;
    let missing = 0;
    for (let p = 0; p < this.pieces; p++) {
      const c = this.copies[p]!;
      if (c < min) min = c;
      if (c === 0) missing++;
      total += c;
    }
    let entropy = 0;
    if (total > 0 && this.pieces > 1) {
      for (let p = 0; p < this.pieces; p++) {
        const q = this.copies[p]! / total;
        if (q > 0) entropy -= q * Math.log(q);
      }
      entropy /= Math.log(this.pieces);
    }
    const round = (x: number) => Math.round(x * 1e4) / 1e4;
    return {
      leechers: this.leechers,
      seeds: this.seeds,
      piece_copies_min: min === Infinity ? 0 : min,
      piece_copies_mean: round(total / this.pieces),
      pieces_missing: missing,
      piece_entropy: round(entropy),
    };
  }
}
