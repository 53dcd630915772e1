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
 * ignores it); place() draws 0 numbers for non-spatial models, 2 for "plane",
 * 3 for "regions" and 1 for "matrix".
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
  | { model: "regions"; regions: RegionSpec[]; base: number; jitter: number }
  /** Independent draw per message: min + exponential of mean (mean − min). */
  | { model: "exponential"; mean: number; min?: number }
  /**
   * Peers assigned to sites by share; latency = delays[site(from)·n + site(to)] + uniform[0, jitter).
   * `sites` and `delays` (one-way ms, row-major) are read from `file` when the scenario is loaded.
   */
  | { model: "matrix"; file?: string; sites?: string[]; delays?: number[]; shares?: Record<string, number>; jitter: number; values?: "rtt" | "one-way" };

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

/** Each message's delay is an independent draw; peers have no placement. */
export class DrawnLatency implements LatencyModel {
  constructor(
    private readonly sampler: Sampler,
    private readonly min: number,
    /** Added to every draw (a shifted distribution), where `min` clips. */
    private readonly shift = 0,
  ) {}
  place(): void {}
  delay(_from: number, _to: number, rng: Rng): number {
    const d = this.sampler.sample(rng) + this.shift;
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

export class PlaneLatency extends SpatialLatency {
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

export class RegionsLatency extends SpatialLatency {
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

/** Peers sit at named sites; a delay is the matrix entry between the two sites plus uniform[0, jitter). */
export class MatrixLatency implements LatencyModel {
  private readonly n: number;
  private readonly cumShare: Float64Array;
  private siteIdx = new Int32Array(INITIAL_CAPACITY);
  private placed = 0;

  constructor(
    private readonly sites: readonly string[],
    private readonly delays: readonly number[],
    shares: Record<string, number> | undefined,
    private readonly jitter: number,
    ctx: string,
  ) {
    const n = sites.length;
    if (n === 0) throw new Error(`${ctx}: no sites (the matrix file is read when the scenario is loaded)`);
    if (delays.length !== n * n) throw new Error(`${ctx}: expected ${n}×${n} delays, got ${delays.length}`);
    delays.forEach((d, i) => nonNegative(`${ctx}: delay ${sites[Math.floor(i / n)]} → ${sites[i % n]}`, "delay", d));
    this.n = n;
    this.cumShare = new Float64Array(n);
    let total = 0;
    let lastPositive = -1;
    for (let i = 0; i < n; i++) {
      const share = shares === undefined ? 1 / n : (shares[sites[i]!] ?? 0);
      total += share;
      this.cumShare[i] = total;
      if (share > 0) lastPositive = i;
    }
    if (shares !== undefined) {
      for (const name of Object.keys(shares)) if (!sites.includes(name)) throw new Error(`${ctx}: shares names "${name}", which is not a site of the matrix (${sites.join(", ")})`);
      if (Math.abs(total - 1) > 1e-6) throw new Error(`${ctx}: site shares must sum to 1, got ${total}`);
    }
    for (let i = 0; i < n; i++) this.cumShare[i] = i >= lastPositive ? 1 : this.cumShare[i]! / total;
  }

  place(peer: number, rng: Rng): void {
    if (!Number.isInteger(peer) || peer < 0 || peer > this.placed) {
      throw new Error(`latency model: place(${peer}) out of order; the next new peer id is ${this.placed}`);
    }
    if (peer === this.placed) {
      if (peer >= this.siteIdx.length) {
        const next = new Int32Array(grownLength(this.siteIdx.length, peer + 1));
        next.set(this.siteIdx);
        this.siteIdx = next;
      }
      this.placed++;
    }
    const u = rng.next();
    let i = 0;
    while (this.cumShare[i]! <= u) i++;
    this.siteIdx[peer] = i;
  }

  delay(from: number, to: number, rng: Rng): number {
    const n = this.placed;
    if (!(from >= 0 && from < n && to >= 0 && to < n)) {
      throw new Error(`latency model: delay(${from}, ${to}) involves a peer that was never placed (placed: 0..${n - 1})`);
    }
    return this.delays[this.siteIdx[from]! * this.n + this.siteIdx[to]!]! + this.jitter * rng.next();
  }

  regionOf(peer: number): string | undefined {
    return Number.isInteger(peer) && peer >= 0 && peer < this.placed ? this.sites[this.siteIdx[peer]!] : undefined;
  }

  positionOf(): undefined {
    return undefined;
  }
}

/**
 * Parses a delay matrix CSV: a header row (any first cell, then the site
 * names) and one row per site, in the header's order, starting with its
 * name. Returns one-way delays (halved when `values` is "rtt"). Throws an
 * Error naming the line for anything else.
 */
export function parseLatencyMatrix(text: string, values: "rtt" | "one-way"): { sites: string[]; delays: number[] } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith("#"));
  if (lines.length < 2) throw new Error("expected a header row and at least one row of delays");
  const sites = lines[0]!.split(",").slice(1).map((c) => c.trim());
  if (sites.length === 0 || sites.some((s) => s.length === 0)) throw new Error("line 1: expected a header row: a first cell, then the site names");
  const dup = sites.find((s, i) => sites.indexOf(s) !== i);
  if (dup !== undefined) throw new Error(`line 1: site ${JSON.stringify(dup)} is named twice`);
  if (lines.length - 1 !== sites.length) throw new Error(`expected one row per site (${sites.length}), got ${lines.length - 1}`);
  const delays: number[] = [];
  const factor = values === "rtt" ? 0.5 : 1;
  for (let r = 0; r < sites.length; r++) {
    const cells = lines[r + 1]!.split(",").map((c) => c.trim());
    const line = `row ${r + 1} (${JSON.stringify(cells[0])})`;
    if (cells[0] !== sites[r]) throw new Error(`${line}: expected the row of site ${JSON.stringify(sites[r])} (rows follow the header's order)`);
    if (cells.length !== sites.length + 1) throw new Error(`${line}: expected ${sites.length} delays, got ${cells.length - 1}`);
    for (let c = 1; c < cells.length; c++) {
      const d = Number(cells[c]);
      if (cells[c] === "" || !Number.isFinite(d) || d < 0) throw new Error(`${line}, column ${JSON.stringify(sites[c - 1])}: expected a delay in ms ≥ 0, got ${JSON.stringify(cells[c])}`);
      delays.push(d * factor);
    }
  }
  return { sites, delays };
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



