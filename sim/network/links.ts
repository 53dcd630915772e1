import { makeSampler, type Sampler } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import { LINK_PRESETS } from "./presets.js";

/**
 * Every peer's upload and download capacity, in bytes per millisecond (the
 * carriers' unit: sizes in bytes, time in ms). Infinity is an unlimited link.
 * Capacities are drawn when a peer is created, from the "links" random
 * stream, so adding bandwidth to a scenario moves no other draw.
 */

/** What a scenario may say about one group of peers' links (bandwidth-schema.ts validates it). */
export type RateInput =
  | string
  | { distribution: "uniform"; min: string; max: string }
  | { distribution: "lognormal"; median: string; sigma: number }
  | { distribution: "pareto"; scale: string; shape: number };

export type LinkInput =
  | { upload: RateInput; download?: RateInput | undefined }
  | { preset: string }
  | { classes: readonly { preset?: string | undefined; name?: string | undefined; upload?: RateInput | undefined; download?: RateInput | undefined; share: number }[] };

export interface LinksInput {
  links?: LinkInput | undefined;
  regions?: Readonly<Record<string, LinkInput>> | undefined;
  services?: Readonly<Record<string, LinkInput>> | undefined;
}

/** Reads a link rate ("20Mbit/s") as bytes per second; given by the scenario layer, which owns units. */
export type ParseRate = (text: string) => number | undefined;

/** Bytes per second → bytes per millisecond. */
function perMs(text: string, parse: ParseRate): number {
  const bytesPerSecond = parse(text);
  if (bytesPerSecond === undefined || !(bytesPerSecond >= 0)) throw new Error(`links: "${text}" is not a link rate`);
  return bytesPerSecond / 1000;
}

/** A rate drawn once per peer: one number from the stream whatever the form, so groups never shift each other. */
function rateSampler(input: RateInput | undefined, parse: ParseRate): Sampler {
  if (input === undefined) return { mean: Infinity, sample: (rng) => (rng.next(), Infinity) };
  if (typeof input === "string") return makeSampler({ distribution: "fixed", value: perMs(input, parse) });
  switch (input.distribution) {
    case "uniform":
      return makeSampler({ distribution: "uniform", min: perMs(input.min, parse), max: perMs(input.max, parse) });
    case "lognormal":
      return makeSampler({ distribution: "lognormal", median: perMs(input.median, parse), sigma: input.sigma });
    case "pareto":
      return makeSampler({ distribution: "pareto", scale: perMs(input.scale, parse), shape: input.shape });
  }
}

interface LinkClass {
  share: number;
  upload: Sampler;
  download: Sampler;
}

/** One group's classes (a single class for a plain upload/download or a preset). */
function classesOf(input: LinkInput, parse: ParseRate): LinkClass[] {
  const preset = (name: string) => {
    const p = LINK_PRESETS[name];
    if (!p) throw new Error(`links: unknown preset "${name}"`);
    return p;
  };
  if ("preset" in input) {
    const p = preset(input.preset);
    return [{ share: 1, upload: rateSampler(p.upload, parse), download: rateSampler(p.download, parse) }];
  }
  if ("classes" in input) {
    return input.classes.map((c) => {
      const p = c.preset !== undefined ? preset(c.preset) : undefined;
      return { share: c.share, upload: rateSampler(c.upload ?? p?.upload, parse), download: rateSampler(c.download ?? p?.download, parse) };
    });
  }
  return [{ share: 1, upload: rateSampler(input.upload, parse), download: rateSampler(input.download, parse) }];
}

export class Links {
  upload = new Float64Array(1024);
  download = new Float64Array(1024);
  private readonly general: LinkClass[] | undefined;
  private readonly byRegion = new Map<string, LinkClass[]>();
  private readonly byRole = new Map<string, LinkClass[]>();

  constructor(input: LinksInput, private readonly rng: Rng, parse: ParseRate) {
    this.general = input.links ? classesOf(input.links, parse) : undefined;
    for (const [name, spec] of Object.entries(input.regions ?? {})) this.byRegion.set(name, classesOf(spec, parse));
    for (const [role, spec] of Object.entries(input.services ?? {})) this.byRole.set(role, classesOf(spec, parse));
  }

  /** Draws `peer`'s capacities (3 numbers: class, upload, download) for its region, or for its service role. */
  assign(peer: number, region: string | undefined, role?: string): void {
    const classes = (role !== undefined ? this.byRole.get(role) : undefined) ?? (region !== undefined ? this.byRegion.get(region) : undefined) ?? this.general;
    if (!classes) throw new Error(`links: no capacities for peer ${peer}${region ? ` in region "${region}"` : ""}`);
    this.grow(peer);
    const u = this.rng.next();
    let chosen = classes[classes.length - 1]!;
    let acc = 0;
    for (const c of classes) {
      acc += c.share;
      if (u < acc) {
        chosen = c;
        break;
      }
    }
    this.upload[peer] = chosen.upload.sample(this.rng);
    this.download[peer] = chosen.download.sample(this.rng);
  }

  /** Sets capacities directly (tests, benchmarks), in bytes per millisecond. */
  set(peer: number, uploadPerMs: number, downloadPerMs: number): void {
    this.grow(peer);
    this.upload[peer] = uploadPerMs;
    this.download[peer] = downloadPerMs;
  }

  private grow(peer: number): void {
    if (peer < this.upload.length) return;
    const size = Math.max(peer + 1, this.upload.length * 2);
    for (const key of ["upload", "download"] as const) {
      const bigger = new Float64Array(size);
      bigger.set(this[key]);
      this[key] = bigger;
    }
  }
}
