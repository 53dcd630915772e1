import { makeSampler, type Sampler } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import { parseSize } from "../core/units.js";
import type { FileSizeSpec } from "./file-size-schema.js";

/**
 * The size of the object behind each key (workload.fileSize), in bytes.
 * Each key's size is fixed for the run: a hash of the key and a salt from
 * the "file-sizes" stream gives one uniform number, turned into a size by
 * the distribution's inverse transform. So sizes cost no memory per key and
 * do not depend on which keys are asked for, or in what order.
 */

/** workload.fileSize with sizes already in bytes. */
export type FileSizeBytes =
  | number
  | { distribution: "exponential"; mean: number }
  | { distribution: "uniform"; min: number; max: number }
  | { distribution: "lognormal"; median: number; sigma: number }
  | { distribution: "pareto"; scale: number; shape: number };

/** 4 MB: about one MP3 of the Napster era, when nothing is said. */
export const DEFAULT_FILE_SIZE = 4_000_000;

export function fileSizes(spec: FileSizeBytes | undefined, rng: Rng): (key: number) => number {
  const s = spec ?? DEFAULT_FILE_SIZE;
  if (typeof s === "number") return () => s;
  const sampler: Sampler = makeSampler(s);
  const salt = Math.floor(rng.next() * 4294967296) >>> 0;
  let u = 0;
  const oneDraw = { next: () => u } as unknown as Rng;
  return (key: number) => {
    u = (mix32(key ^ salt) + 0.5) / 4294967296;
    return Math.max(1, Math.round(sampler.sample(oneDraw)));
  };
}

/** A 32-bit avalanche mix (the murmur3 finaliser). */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** workload.fileSize as written ("4MB", or a distribution of such sizes), with its sizes in bytes. */
export function fileSizeBytes(spec: FileSizeSpec | undefined): FileSizeBytes | undefined {
  if (spec === undefined) return undefined;
  const bytes = (v: string | number) => (typeof v === "number" ? v : parseSize(v)!);
  if (typeof spec !== "object") return bytes(spec);
  switch (spec.distribution) {
    case "exponential":
      return { distribution: "exponential", mean: bytes(spec.mean) };
    case "uniform":
      return { distribution: "uniform", min: bytes(spec.min), max: bytes(spec.max) };
    case "lognormal":
      return { distribution: "lognormal", median: bytes(spec.median), sigma: spec.sigma };
    case "pareto":
      return { distribution: "pareto", scale: bytes(spec.scale), shape: spec.shape };
  }
}
