/**
 * The underlay's one-way latency models.
 *
 * Non-spatial models ("constant", "uniform", "lognormal") draw each message's
 * delay independently. Spatial models ("plane", "regions") give every peer a
 * point in a plane whose units are milliseconds, so a delay is
 * base + euclidean distance + uniform jitter, and latencies are consistent
 * (close peers are close for every message, the triangle inequality roughly holds).
 *
 * Draw counts are fixed per model so streams are easy to reason about:
 * delay() draws exactly one number for every model ("constant" draws one and
 * ignores it); place() draws 0 numbers for non-spatial models, 2 for "plane"
 * and 3 for "regions".
 *
 * Peer coordinates live in typed arrays that double when full: no per-peer
 * objects, since the sim reaches 10^6 peers and delay() runs once per message.
 */
import { makeSampler, type Sampler } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import { finite, nonNegative, positive } from "../engine/param-checks.js";

export interface RegionSpec {
  name: string;
  /** Fraction of peers placed in this region; shares sum to 1. */
  share: number;
  /** Centre of the region, in ms. */
  x: number;
  y: number;
  /** Peers are uniform in the disc of this radius (ms) around the centre. */
  radius: number;
}

export type LatencySpec =
  | { model: "constant"; delay: number }
  | { model: "uniform"; min: number; max: number }
  /** Independent draw per message, floored at `min` (default 0). */
  | { model: "lognormal"; median: number; sigma: number; min?: number }
  /** Peers uniform in a size×size square (ms); latency = base + distance + uniform[0, jitter). */
  | { model: "plane"; size: number; base: number; jitter: number }
  /** Peers in regions chosen by share, uniform in each region's disc; latency = base + distance + uniform[0, jitter). */
  | { model: "regions"; regions: RegionSpec[]; base: number; jitter: number };

export interface LatencyModel {
  /**
   * Called once when a peer is created. Peers are dense integer ids 0, 1, 2, ...
   * created in increasing order; placing an existing id again re-places it.
   * Draws the placement from `rng` (see the draw counts above).
   */
  place(peer: number, rng: Rng): void;
  /** One-way delay in ms of one message from → to; ≥ 0, never NaN. Draws one number from `rng`. */
  delay(from: number, to: number, rng: Rng): number;
  /** Region name of a placed peer, or undefined (models without regions, unplaced peers). */
  regionOf(peer: number): string | undefined;
  /** Coordinates (ms) of a placed peer for the viewer, or undefined (non-spatial models, unplaced peers). */
  positionOf(peer: number): { x: number; y: number } | undefined;
}

/** The models, for `peerlab list`. */
export const LATENCY_MODELS: { name: string; description: string }[] = [
  { name: "constant", description: "every message takes exactly `delay` ms" },
  { name: "uniform", description: "each message takes a uniform [min, max) ms, drawn independently" },
  {
    name: "lognormal",
    description: "each message takes a lognormal(median, sigma) ms, drawn independently, floored at `min` (default 0)",
  },
  {
    name: "plane",
    description: "peers uniform in a size×size ms square; latency = base + distance + uniform[0, jitter)",
  },
  {
    name: "regions",
    description:
      "peers in regions (by share), uniform in a disc of `radius` ms around each region's (x, y); latency = base + distance + uniform[0, jitter)",
  },
];

/** Builds a latency model; throws an Error naming the bad parameter if `spec` is invalid. */
export function makeLatencyModel(spec: LatencySpec): LatencyModel {
  // `spec` may come from parsed YAML, so check the tag at runtime too.
  const kind = (spec as { model?: unknown } | null)?.model;
  const ctx = `${String(kind)} latency model`;
  switch (spec?.model) {
    // The samplers check these too, but their messages would name the
    // distribution's parameters ("value") rather than the model's ("delay").
    case "constant": {
      const delay = nonNegative(ctx, "delay", spec.delay);
      return new DrawnLatency(makeSampler({ distribution: "fixed", value: delay }), 0);
    }
    case "uniform": {
      const min = nonNegative(ctx, "min", spec.min);
      const max = nonNegative(ctx, "max", spec.max);
      if (min > max) throw new Error(`${ctx}: "min" (${min}) must be ≤ "max" (${max})`);
      return new DrawnLatency(makeSampler({ distribution: "uniform", min, max }), 0);
    }
    case "lognormal": {
      const median = positive(ctx, "median", spec.median);
      const sigma = nonNegative(ctx, "sigma", spec.sigma);
      const min = spec.min === undefined ? 0 : nonNegative(ctx, "min", spec.min);
      return new DrawnLatency(makeSampler({ distribution: "lognormal", median, sigma }), min);
    }
    case "plane":
      return new PlaneLatency(
        positive(ctx, "size", spec.size),
        nonNegative(ctx, "base", spec.base),
        nonNegative(ctx, "jitter", spec.jitter),
      );
    case "regions":
      return new RegionsLatency(spec.regions, nonNegative(ctx, "base", spec.base), nonNegative(ctx, "jitter", spec.jitter), ctx);
    default:
      throw new Error(
        `unknown latency model ${JSON.stringify(kind)}; expected one of ${LATENCY_MODELS.map((m) => m.name).join(", ")}`,
      );
  }
}

/** Each message's delay is an independent draw; peers have no placement. */
class DrawnLatency implements LatencyModel {
  constructor(
    private readonly sampler: Sampler,
    private readonly min: number,
  ) {}
  place(): void {}
  delay(_from: number, _to: number, rng: Rng): number {
    const d = this.sampler.sample(rng);
    return d < this.min ? this.min : d;
  }
  regionOf(): undefined {
    return undefined;
  }
  positionOf(): undefined {
    return undefined;
  }
}

const INITIAL_CAPACITY = 1024;

/** Peers are points in a plane (ms); delay = base + distance + uniform[0, jitter). */
abstract class SpatialLatency implements LatencyModel {
  protected xs: Float64Array = new Float64Array(INITIAL_CAPACITY);
  protected ys: Float64Array = new Float64Array(INITIAL_CAPACITY);
  protected placed = 0; // peers 0..placed−1 have coordinates

  constructor(
    private readonly base: number,
    private readonly jitter: number,
  ) {}

  /** Writes xs[peer], ys[peer] (and anything else per peer) from `rng`. */
  protected abstract locate(peer: number, rng: Rng): void;

  /** Makes room for `size` peers; subclasses with more per-peer arrays extend it. */
  protected grow(size: number): void {
    this.xs = growFloat64(this.xs, size);
    this.ys = growFloat64(this.ys, size);
  }

  place(peer: number, rng: Rng): void {
    if (!Number.isInteger(peer) || peer < 0 || peer > this.placed) {
      throw new Error(`latency model: place(${peer}) out of order; the next new peer id is ${this.placed}`);
    }
    if (peer === this.placed) {
      if (peer >= this.xs.length) this.grow(peer + 1);
      this.placed++;
    }
    this.locate(peer, rng);
  }

  delay(from: number, to: number, rng: Rng): number {
    const n = this.placed;
    if (!(from >= 0 && from < n && to >= 0 && to < n)) {
      throw new Error(`latency model: delay(${from}, ${to}) involves a peer that was never placed (placed: 0..${n - 1})`);
    }
    const dx = this.xs[from]! - this.xs[to]!;
    const dy = this.ys[from]! - this.ys[to]!;
    // Math.sqrt is correctly rounded (IEEE 754), unlike Math.hypot, so this is bit-reproducible.
    return this.base + Math.sqrt(dx * dx + dy * dy) + this.jitter * rng.next();
  }

  regionOf(_peer: number): string | undefined {
    return undefined;
  }

  positionOf(peer: number): { x: number; y: number } | undefined {
    return this.has(peer) ? { x: this.xs[peer]!, y: this.ys[peer]! } : undefined;
  }

  protected has(peer: number): boolean {
    return Number.isInteger(peer) && peer >= 0 && peer < this.placed;
  }
}

class PlaneLatency extends SpatialLatency {
  constructor(
    private readonly size: number,
    base: number,
    jitter: number,
  ) {
    super(base, jitter);
  }

  protected locate(peer: number, rng: Rng): void {
    this.xs[peer] = this.size * rng.next();
    this.ys[peer] = this.size * rng.next();
  }
}

class RegionsLatency extends SpatialLatency {
  private readonly names: string[];
  private readonly cx: Float64Array;
  private readonly cy: Float64Array;
  private readonly radius: Float64Array;
  // cumShare[i] = P(region ≤ i), forced to exactly 1 from the last region with a share > 0 on.
  private readonly cumShare: Float64Array;
  private regionIdx = new Int32Array(INITIAL_CAPACITY);

  constructor(regions: RegionSpec[], base: number, jitter: number, ctx: string) {
    super(base, jitter);
    if (!Array.isArray(regions) || regions.length === 0) throw new Error(`${ctx}: "regions" must be a non-empty list`);
    const k = regions.length;
    this.names = [];
    this.cx = new Float64Array(k);
    this.cy = new Float64Array(k);
    this.radius = new Float64Array(k);
    this.cumShare = new Float64Array(k);
    let total = 0;
    let lastPositive = -1;
    for (let i = 0; i < k; i++) {
      const r = regions[i]!;
      const where = `${ctx}: regions[${i}]`;
      if (typeof r?.name !== "string" || r.name.length === 0) throw new Error(`${where}: "name" must be a non-empty string`);
      if (this.names.includes(r.name)) throw new Error(`${where}: duplicate region name ${JSON.stringify(r.name)}`);
      this.names.push(r.name);
      const share = nonNegative(where, "share", r.share);
      this.cx[i] = finite(where, "x", r.x);
      this.cy[i] = finite(where, "y", r.y);
      this.radius[i] = nonNegative(where, "radius", r.radius);
      total += share;
      this.cumShare[i] = total;
      if (share > 0) lastPositive = i;
    }
    if (Math.abs(total - 1) > 1e-6) throw new Error(`${ctx}: region shares must sum to 1, got ${total}`);
    for (let i = 0; i < k; i++) this.cumShare[i] = i >= lastPositive ? 1 : this.cumShare[i]! / total;
  }

  protected override grow(size: number): void {
    super.grow(size);
    if (size > this.regionIdx.length) {
      const next = new Int32Array(grownLength(this.regionIdx.length, size));
      next.set(this.regionIdx);
      this.regionIdx = next;
    }
  }

  protected locate(peer: number, rng: Rng): void {
    // Region: the first i with cumShare[i] > u (zero-share regions are never picked).
    const u = rng.next();
    let i = 0;
    while (this.cumShare[i]! <= u) i++;
    // Uniform point in a disc: r = R·√v makes the density uniform in area
    // (P(r ≤ ρ) = ρ²/R²), θ uniform in [0, 2π).
    const r = this.radius[i]! * Math.sqrt(rng.next());
    const theta = 2 * Math.PI * rng.next();
    this.regionIdx[peer] = i;
    this.xs[peer] = this.cx[i]! + r * Math.cos(theta);
    this.ys[peer] = this.cy[i]! + r * Math.sin(theta);
  }

  override regionOf(peer: number): string | undefined {
    return this.has(peer) ? this.names[this.regionIdx[peer]!] : undefined;
  }
}

// ---- helpers ---------------------------------------------------------------

function grownLength(current: number, needed: number): number {
  let len = Math.max(current, 1);
  while (len < needed) len *= 2;
  return len;
}

function growFloat64(a: Float64Array, size: number): Float64Array {
  if (size <= a.length) return a;
  const next = new Float64Array(grownLength(a.length, size));
  next.set(a);
  return next;
}



