import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { fractionBelow, maxOf, meanOf, minOf } from "../helpers/sample-stats.js";
import { LATENCY_MODELS, makeLatencyModel } from "../../sim/network/latency-models.js";
import {
  parseLatencyMatrix,
  type LatencyModel,
  type LatencySpec,
  type RegionSpec,
} from "../../sim/network/latency.js";

/*
 * Statistical checks use fixed seeds (so they are deterministic) with
 * tolerances of Z = 5 standard errors derived from the variance, so another
 * seed would not make them flaky (two-sided chance ≈ 6e-7 for a correct model).
 */
const Z = 5;

function placeAll(model: LatencyModel, n: number, rng: Rng): void {
  for (let p = 0; p < n; p++) model.place(p, rng);
}

function delays(model: LatencyModel, n: number, seed: string, from = 0, to = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = model.delay(from, to, rng);
  return out;
}

describe("non-spatial models", () => {
  it("constant: exactly the delay, no placement", () => {
    const m = makeLatencyModel({ model: "constant", delay: 40 });
    m.place(0, new Rng(1));
    expect(Array.from(delays(m, 5, "c"))).toEqual([40, 40, 40, 40, 40]);
    expect(m.delay(123, 456, new Rng(1))).toBe(40); // no placement needed
    expect(m.regionOf(0)).toBeUndefined();
    expect(m.positionOf(0)).toBeUndefined();
  });

  it("uniform: in [min, max) with mean (min+max)/2", () => {
    const n = 200_000;
    const xs = delays(makeLatencyModel({ model: "uniform", min: 20, max: 80 }), n, "u");
    expect(minOf(xs)).toBeGreaterThanOrEqual(20);
    expect(maxOf(xs)).toBeLessThan(80);
    expect(Math.abs(meanOf(xs) - 50)).toBeLessThan((Z * 60) / Math.sqrt(12) / Math.sqrt(n)); // σ = 60/√12
  });

  it("lognormal: median, and the floor at min", () => {
    const n = 200_000;
    const xs = delays(makeLatencyModel({ model: "lognormal", median: 50, sigma: 0.6 }), n, "ln");
    // P(X < median) = 1/2, binomial standard error 0.5/√n.
    expect(Math.abs(fractionBelow(xs, 50) - 0.5)).toBeLessThan((Z * 0.5) / Math.sqrt(n));
    expect(minOf(xs)).toBeGreaterThan(0);
    // Floored at the median: half the draws become exactly the floor.
    const floored = delays(makeLatencyModel({ model: "lognormal", median: 50, sigma: 0.6, min: 50 }), n, "ln");
    expect(minOf(floored)).toBe(50);
    expect(Math.abs(floored.filter((x) => x === 50).length / n - 0.5)).toBeLessThan((Z * 0.5) / Math.sqrt(n));
  });
});

describe("plane", () => {
  it("mean distance between two random peers ≈ 0.5214·size", () => {
    // E|P−Q| for P, Q uniform in the unit square = (2 + √2 + 5·ln(1+√2)) / 15 ≈ 0.52141;
    // E|P−Q|² = 1/3, so the distance's sd is √(1/3 − 0.52141²) ≈ 0.2479.
    const meanUnit = (2 + Math.SQRT2 + 5 * Math.log(1 + Math.SQRT2)) / 15;
    const sdUnit = Math.sqrt(1 / 3 - meanUnit * meanUnit);
    const size = 100;
    const pairs = 100_000;
    const m = makeLatencyModel({ model: "plane", size, base: 0, jitter: 0 });
    // 200k peers: also exercises the typed arrays' growth past their initial 1024.
    placeAll(m, 2 * pairs, new Rng("plane"));
    const rng = new Rng("plane-delay");
    let sum = 0;
    for (let i = 0; i < pairs; i++) sum += m.delay(2 * i, 2 * i + 1, rng); // disjoint pairs are independent
    expect(Math.abs(sum / pairs - meanUnit * size)).toBeLessThan((Z * sdUnit * size) / Math.sqrt(pairs));
    for (let p = 0; p < 2 * pairs; p += 997) {
      const { x, y } = m.positionOf(p)!;
      expect(x >= 0 && x < size && y >= 0 && y < size).toBe(true);
    }
    expect(m.positionOf(2 * pairs)).toBeUndefined();
    expect(m.regionOf(0)).toBeUndefined();
  });

  it("is base + distance + uniform[0, jitter), symmetric in distance", () => {
    const m = makeLatencyModel({ model: "plane", size: 100, base: 5, jitter: 20 });
    placeAll(m, 2, new Rng("pj"));
    const a = m.positionOf(0)!;
    const b = m.positionOf(1)!;
    const dist = Math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2);
    const n = 100_000;
    const xs = delays(m, n, "jit");
    expect(minOf(xs)).toBeGreaterThanOrEqual(5 + dist);
    expect(maxOf(xs)).toBeLessThan(5 + dist + 20);
    expect(Math.abs(meanOf(xs) - (5 + dist + 10))).toBeLessThan((Z * 20) / Math.sqrt(12) / Math.sqrt(n));
    // Same jitter draw → the same delay both ways.
    expect(m.delay(0, 1, new Rng("s"))).toBe(m.delay(1, 0, new Rng("s")));
    // A message to oneself is just base + jitter.
    expect(m.delay(0, 0, new Rng("s"))).toBe(5 + 20 * new Rng("s").next());
  });

  it("pins placements and delays for a seed", () => {
    const m = makeLatencyModel({ model: "plane", size: 200, base: 10, jitter: 5 });
    placeAll(m, 3, new Rng("pin"));
    expect([m.positionOf(0), m.positionOf(2)]).toEqual(PINNED.planePositions);
    expect(Array.from(delays(m, 3, "pin-d", 0, 2))).toEqual(PINNED.planeDelays);
  });
});

describe("regions", () => {
  const spec: LatencySpec = {
    model: "regions",
    regions: [
      { name: "eu", share: 0.5, x: 0, y: 0, radius: 20 },
      { name: "us", share: 0.3, x: 1000, y: 0, radius: 20 },
      { name: "asia", share: 0.2, x: 0, y: 1000, radius: 20 },
      { name: "empty", share: 0, x: 5000, y: 5000, radius: 1 },
    ],
    base: 10,
    jitter: 5,
  };
  const centre: Record<string, { x: number; y: number }> = { eu: { x: 0, y: 0 }, us: { x: 1000, y: 0 }, asia: { x: 0, y: 1000 } };

  it("respects shares and puts peers uniformly in their region's disc", () => {
    const n = 100_000;
    const m = makeLatencyModel(spec);
    placeAll(m, n, new Rng("regions"));
    const counts: Record<string, number> = {};
    let inner = 0;
    for (let p = 0; p < n; p++) {
      const r = m.regionOf(p)!;
      counts[r] = (counts[r] ?? 0) + 1;
      const { x, y } = m.positionOf(p)!;
      const d = Math.sqrt((x - centre[r]!.x) ** 2 + (y - centre[r]!.y) ** 2);
      if (d > 20 + 1e-9) throw new Error(`peer ${p} at distance ${d} from the centre of ${r}`);
      if (d < 10) inner++;
    }
    expect(Object.keys(counts).sort()).toEqual(["asia", "eu", "us"]); // the zero-share region gets nobody
    for (const [name, share] of [["eu", 0.5], ["us", 0.3], ["asia", 0.2]] as const) {
      expect(Math.abs(counts[name]! - n * share)).toBeLessThan(Z * Math.sqrt(n * share * (1 - share)));
    }
    // Uniform in area: a quarter of the peers lie within half the radius.
    expect(Math.abs(inner / n - 0.25)).toBeLessThan(Z * Math.sqrt((0.25 * 0.75) / n));
  });

  it("intra-region latency is below inter-region latency for well-separated regions", () => {
    const m = makeLatencyModel(spec);
    placeAll(m, 2000, new Rng("sep"));
    const rng = new Rng("sep-delay");
    let minAll = Infinity;
    let maxIntra = -Infinity;
    let minInter = Infinity;
    for (let i = 0; i < 20_000; i++) {
      const a = rng.int(2000);
      const b = rng.int(2000);
      const d = m.delay(a, b, rng);
      minAll = Math.min(minAll, d);
      if (m.regionOf(a) === m.regionOf(b)) maxIntra = Math.max(maxIntra, d);
      else minInter = Math.min(minInter, d);
    }
    expect(minAll).toBeGreaterThanOrEqual(10); // never below base
    expect(maxIntra).toBeLessThan(10 + 40 + 5); // base + diameter + jitter
    expect(minInter).toBeGreaterThan(10 + 1000 - 40); // base + centre distance − two radii
  });

  it("pins placements for a seed", () => {
    const m = makeLatencyModel(spec);
    placeAll(m, 4, new Rng("pin"));
    expect([0, 1, 2, 3].map((p) => m.regionOf(p))).toEqual(PINNED.regions);
    expect(m.positionOf(0)).toEqual(PINNED.regionsPosition0);
    expect(m.delay(0, 3, new Rng("pin-d"))).toBe(PINNED.regionsDelay);
  });

  it("accepts shares that sum to 1 up to rounding", () => {
    const thirds = { name: "a", share: 1 / 3, x: 0, y: 0, radius: 1 };
    const m = makeLatencyModel({
      model: "regions",
      regions: [thirds, { ...thirds, name: "b" }, { ...thirds, name: "c" }],
      base: 0,
      jitter: 0,
    });
    placeAll(m, 10, new Rng("thirds"));
    expect(["a", "b", "c"]).toContain(m.regionOf(9));
  });
});

describe("exponential", () => {
  it("has the given mean, never goes below min, and is memoryless above it", () => {
    const m = makeLatencyModel({ model: "exponential", mean: 50, min: 10 });
    const xs = delays(m, 200_000, "exp");
    expect(minOf(xs)).toBeGreaterThanOrEqual(10);
    // Exp(40) shifted by 10: sd 40, so the standard error of the mean is 40/√n.
    expect(Math.abs(meanOf(xs) - 50)).toBeLessThan((Z * 40) / Math.sqrt(xs.length));
    // P(X > 10 + 40) = e^-1.
    expect(Math.abs(1 - fractionBelow(xs, 50) - Math.exp(-1))).toBeLessThan(0.005);
  });

  it("rejects a minimum at or above the mean", () => {
    expect(() => makeLatencyModel({ model: "exponential", mean: 50, min: 50 })).toThrow(/"min" \(50\) must be below "mean" \(50\)/);
  });
});

describe("matrix", () => {
  it("parses a CSV of round-trip times into one-way delays, and rejects malformed files", () => {
    expect(parseLatencyMatrix("site,eu,us\neu,10,90\nus,90,4\n", "rtt")).toEqual({ sites: ["eu", "us"], delays: [5, 45, 45, 2] });
    expect(parseLatencyMatrix("# measured\n,eu,us\neu,10,90\nus,90,4", "one-way").delays).toEqual([10, 90, 90, 4]);
    expect(() => parseLatencyMatrix("x,eu,us\nus,1,2\neu,3,4", "rtt")).toThrow(/row 1 \("us"\): expected the row of site "eu"/);
    expect(() => parseLatencyMatrix("x,eu,us\neu,1,-2\nus,3,4", "rtt")).toThrow(/column "us": expected a delay in ms ≥ 0, got "-2"/);
    expect(() => parseLatencyMatrix("x,eu,us\neu,1,2", "rtt")).toThrow(/one row per site \(2\), got 1/);
  });

  it("places peers at sites by share and takes the entry between their sites", () => {
    const m = makeLatencyModel({ model: "matrix", sites: ["a", "b"], delays: [1, 20, 30, 2], shares: { a: 0.25, b: 0.75 }, jitter: 0 });
    placeAll(m, 4000, new Rng("sites"));
    const atA = Array.from({ length: 4000 }, (_, p) => m.regionOf(p)).filter((s) => s === "a").length;
    expect(Math.abs(atA / 4000 - 0.25)).toBeLessThan(Z * Math.sqrt((0.25 * 0.75) / 4000));
    const rng = new Rng("d");
    for (let p = 1; p < 50; p++) {
      const expected = m.regionOf(0) === "a" ? (m.regionOf(p) === "a" ? 1 : 20) : m.regionOf(p) === "a" ? 30 : 2;
      expect(m.delay(0, p, rng)).toBe(expected);
    }
    expect(() => makeLatencyModel({ model: "matrix", sites: ["a"], delays: [0], shares: { z: 1 }, jitter: 0 })).toThrow(/shares names "z"/);
  });
});

describe("all models", () => {
  const specs: LatencySpec[] = [
    { model: "constant", delay: 10 },
    { model: "uniform", min: 1, max: 2 },
    { model: "lognormal", median: 30, sigma: 1 },
    { model: "plane", size: 100, base: 1, jitter: 0 },
    { model: "regions", regions: [{ name: "r", share: 1, x: 0, y: 0, radius: 5 }], base: 1, jitter: 1 },
    { model: "exponential", mean: 50 },
    { model: "matrix", sites: ["a", "b"], delays: [1, 20, 20, 2], jitter: 0 },
  ];

  it("are all listed in LATENCY_MODELS", () => {
    expect(LATENCY_MODELS.map((m) => m.name).sort()).toEqual(specs.map((s) => s.model).sort());
    for (const m of LATENCY_MODELS) expect(m.description.length).toBeGreaterThan(10);
  });

  it("draw a fixed number of numbers: place 0 / 1 / 2 / 3, delay exactly 1", () => {
    const placeDraws: Record<string, number> = { constant: 0, uniform: 0, lognormal: 0, plane: 2, regions: 3, exponential: 0, matrix: 1 };
    for (const spec of specs) {
      const m = makeLatencyModel(spec);
      const used = new Rng("draws");
      const fresh = new Rng("draws");
      placeAll(m, 5, used);
      for (let i = 0; i < 5 * placeDraws[spec.model]!; i++) fresh.next();
      expect(used.next(), spec.model).toBe(fresh.next());
      for (let i = 0; i < 7; i++) m.delay(i % 5, (i * 3) % 5, used);
      for (let i = 0; i < 7; i++) fresh.next();
      expect(used.next(), spec.model).toBe(fresh.next());
    }
  });

  it("give identical results for the same seed", () => {
    for (const spec of specs) {
      const run = () => {
        const m = makeLatencyModel(spec);
        placeAll(m, 50, new Rng("same/place"));
        const rng = new Rng("same/delay");
        return Array.from({ length: 50 }, (_, i) => m.delay(i, 49 - i, rng));
      };
      expect(run()).toEqual(run());
    }
  });

  it("never return negative or NaN delays", () => {
    const nonNeg = (max: number) => fc.double({ min: 0, max, noNaN: true });
    const spec: fc.Arbitrary<LatencySpec> = fc.oneof(
      nonNeg(1e4).map((delay) => ({ model: "constant" as const, delay })),
      fc.tuple(nonNeg(1e4), nonNeg(1e4)).map(([a, b]) => ({ model: "uniform" as const, min: Math.min(a, b), max: Math.max(a, b) })),
      fc.record({ model: fc.constant("lognormal" as const), median: fc.double({ min: 1e-3, max: 1e4, noNaN: true }), sigma: nonNeg(3), min: nonNeg(100) }),
      fc.record({ model: fc.constant("plane" as const), size: fc.double({ min: 1e-3, max: 1e4, noNaN: true }), base: nonNeg(100), jitter: nonNeg(100) }),
      fc.record({
        model: fc.constant("regions" as const),
        regions: fc.constant<RegionSpec[]>([
          { name: "a", share: 0.25, x: -500, y: 300, radius: 50 },
          { name: "b", share: 0.75, x: 400, y: -100, radius: 0 },
        ]),
        base: nonNeg(100),
        jitter: nonNeg(100),
      }),
    );
    fc.assert(
      fc.property(spec, fc.string({ maxLength: 8 }), (s, seed) => {
        const m = makeLatencyModel(s);
        const rng = new Rng(`p${seed}`);
        placeAll(m, 20, rng);
        for (let i = 0; i < 100; i++) {
          const d = m.delay(rng.int(20), rng.int(20), rng);
          if (!(d >= 0)) return false;
        }
        return true;
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it("reject peers placed out of order and delays to unplaced peers", () => {
    const m = makeLatencyModel({ model: "plane", size: 10, base: 0, jitter: 0 });
    const rng = new Rng("order");
    expect(() => m.place(1, rng)).toThrow(/out of order; the next new peer id is 0/);
    m.place(0, rng);
    m.place(1, rng);
    const before = m.positionOf(1);
    m.place(1, rng); // re-placing an existing peer is allowed
    expect(m.positionOf(1)).not.toEqual(before);
    expect(() => m.place(-1, rng)).toThrow(/out of order/);
    expect(() => m.delay(0, 2, rng)).toThrow(/never placed/);
    expect(() => m.delay(-1, 0, rng)).toThrow(/never placed/);
  });

  it("reject invalid specs with a message naming the parameter", () => {
    const region = { name: "a", share: 1, x: 0, y: 0, radius: 1 };
    const bad: [unknown, RegExp][] = [
      [{ model: "constant", delay: -1 }, /constant latency model: "delay" must be ≥ 0/],
      [{ model: "uniform", min: 5, max: 2 }, /"min" \(5\) must be ≤ "max" \(2\)/],
      [{ model: "lognormal", median: 0, sigma: 1 }, /"median" must be > 0/],
      [{ model: "lognormal", median: 1, sigma: 1, min: -1 }, /"min" must be ≥ 0/],
      [{ model: "plane", size: 0, base: 0, jitter: 0 }, /"size" must be > 0/],
      [{ model: "plane", size: 10, base: Number.NaN, jitter: 0 }, /"base" must be a finite number/],
      [{ model: "regions", regions: [], base: 0, jitter: 0 }, /non-empty list/],
      [{ model: "regions", regions: [{ ...region, share: 0.5 }], base: 0, jitter: 0 }, /shares must sum to 1, got 0.5/],
      [{ model: "regions", regions: [{ ...region, share: 0.5 }, { ...region, share: 0.5 }], base: 0, jitter: 0 }, /duplicate region name "a"/],
      [{ model: "regions", regions: [{ ...region, name: "" }], base: 0, jitter: 0 }, /regions\[0\]: "name" must be a non-empty string/],
      [{ model: "regions", regions: [{ ...region, radius: -1 }], base: 0, jitter: 0 }, /regions\[0\]: "radius" must be ≥ 0/],
      [{ model: "regions", regions: [region], base: 0, jitter: -1 }, /"jitter" must be ≥ 0/],
      [{ model: "mesh" }, /unknown latency model "mesh"; expected one of constant, uniform, lognormal, exponential, plane, regions, matrix/],
    ];
    for (const [spec, message] of bad) expect(() => makeLatencyModel(spec as LatencySpec)).toThrow(message);
  });
});

// Computed once from the implementation and pinned: a change here means the
// streams (and so every scenario's results) have changed.
const PINNED = {
  planePositions: [
    { x: 165.72056906297803, y: 44.68311942182481 },
    { x: 155.30505175702274, y: 39.33213418349624 },
  ],
  planeDelays: [25.96621044255448, 24.006690462544835, 25.031001980375773],
  regions: ["asia", "eu", "asia", "us"],
  regionsPosition0: { x: -4.764773306224832, y: 991.8352480635394 },
  regionsDelay: 1433.3304807621623,
};
