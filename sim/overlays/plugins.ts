import { createRequire } from "node:module";
import { z } from "zod";
import * as fields from "../core/fields.js";
import { answersOnly, dispatcher } from "../core/handlers.js";
import type { Message, MessageTypes, Overlay, OverlayContext, OverlayDefinition, OverlayWorld } from "../core/protocol.js";
import { CopyCache } from "./shared/copy-cache.js";
import { fetchFrom } from "./shared/fetch.js";
import { ItemLedger } from "./shared/item-ledger.js";
import { Namespace } from "./shared/namespace.js";
import { Publishers } from "./shared/publishers.js";

/**
 * Overlays from outside peerlab: a scenario names a JavaScript module in
 * `overlay.module`, and that module's default export turns into an overlay
 * definition like the built-in ones (docs/writing-an-overlay.md).
 *
 * The module exports a function that receives peerlab's own zod and field
 * helpers and returns the definition. Handing them over, rather than letting
 * the module import zod, means a plug-in works from any folder and its
 * option schema is built with the very zod peerlab validates with.
 */

/**
 * The building blocks the built-in overlays share, handed to plug-ins too
 * (docs/writing-an-overlay.md, "Storage and fetching"): who holds which
 * item, bounded copies, who publishes what, one fetch step (request,
 * transfer with network.bandwidth, the runtime's verdict), a message
 * namespace for running a second protocol on the same peers, and the
 * handler map that turns one handler per message type into `deliver`.
 */
export const SHARED = { ItemLedger, CopyCache, Publishers, fetchFrom, Namespace, dispatcher, answersOnly } as const;

/** What a plug-in's exported function receives. */
export interface PluginApi {
  readonly z: typeof z;
  /** Field helpers with units: duration("30s"), rate("1/s"), integer(min, max), probability(), oneOf([...]) ... */
  readonly fields: typeof fields;
  /** The item ledger, copy cache, publishers, fetch step, message namespace and handler map (dispatcher, answersOnly) the built-in overlays use. */
  readonly shared: typeof SHARED;
}

/** What a plug-in's exported function returns. */
export interface PluginOverlay<O = any, M extends Message = any> {
  /** The name scenarios give in `overlay.type`: lowercase letters, digits and '-'. */
  name: string;
  description: string;
  /** The overlay's options as zod fields (without `type` and `module`, which peerlab adds). */
  options?: Record<string, z.ZodType>;
  messageTypes: MessageTypes<M>;
  counters?: readonly string[];
  /** The overlay reports downloads (ctx.downloadStarted ...); see OverlayDefinition.downloads. */
  downloads?: boolean;
  /** The overlay starts broadcasts itself (ctx.startBroadcast); see OverlayDefinition.originatesBroadcasts. */
  originatesBroadcasts?: boolean;
  create(options: O, ctx: OverlayContext<M>, world: OverlayWorld): Overlay<M>;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Problems with a plug-in: the loader turns them into an input error naming the file. */
export class PluginError extends Error {
  override readonly name = "PluginError";
}

/** Loads the module at absolute path `file` and returns its overlay definition. Throws a PluginError saying what is wrong. */
export function loadOverlayModule(file: string): OverlayDefinition {
  let exported: unknown;
  try {
    // require() of an ES module is synchronous on Node ≥ 20.19, so scenarios keep loading synchronously.
    const module = createRequire(import.meta.url)(file) as { default?: unknown };
    exported = module.default ?? module;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && e.message.includes(file)) throw new PluginError("no such file");
    throw new PluginError(`it does not load: ${firstLine(e.message)}`);
  }
  if (typeof exported !== "function") {
    throw new PluginError(`expected a default export that is a function ({ z, fields, shared }) => overlay definition, got ${describe(exported)}`);
  }
  let plugin: unknown;
  try {
    plugin = (exported as (api: PluginApi) => unknown)({ z, fields, shared: SHARED });
  } catch (err) {
    throw new PluginError(`its exported function threw: ${firstLine((err as Error).message)}`);
  }
  return definitionFrom(plugin);
}

/** Checks the shape of what a plug-in returned and builds the definition (its schema included). */
export function definitionFrom(plugin: unknown): OverlayDefinition {
  if (plugin === null || typeof plugin !== "object") throw new PluginError(`expected its function to return an overlay definition object, got ${describe(plugin)}`);
  const p = plugin as Partial<PluginOverlay>;
  const problems: string[] = [];
  if (typeof p.name !== "string" || !NAME.test(p.name)) problems.push(`name: expected lowercase letters, digits and '-' (at most 40), got ${describe(p.name)}`);
  if (typeof p.description !== "string" || p.description.length === 0) problems.push(`description: expected a sentence, got ${describe(p.description)}`);
  if (typeof p.create !== "function") problems.push(`create: expected a function (options, ctx, world) => overlay, got ${describe(p.create)}`);
  if (p.options !== undefined && (p.options === null || typeof p.options !== "object" || Object.values(p.options).some((f) => !(f instanceof z.ZodType)))) {
    problems.push("options: expected an object of zod fields built with the z or fields it was given");
  }
  if (p.options && ("type" in p.options || "module" in p.options)) problems.push("options: `type` and `module` are peerlab's; leave them out");
  const types = p.messageTypes as Record<string, { category?: unknown; bytes?: unknown }> | undefined;
  if (types === null || typeof types !== "object" || Object.keys(types).length === 0) {
    problems.push("messageTypes: expected at least one message type, e.g. { gossip: { category: \"broadcast\", bytes: 64 } }");
  } else {
    for (const [type, info] of Object.entries(types)) {
      if (!["lookup", "maintenance", "broadcast"].includes(info?.category as string)) problems.push(`messageTypes.${type}.category: expected "lookup", "maintenance" or "broadcast", got ${describe(info?.category)}`);
      if (typeof info?.bytes !== "number" && typeof info?.bytes !== "function") problems.push(`messageTypes.${type}.bytes: expected a size in bytes or a function of the message, got ${describe(info?.bytes)}`);
    }
  }
  if (p.counters !== undefined && (!Array.isArray(p.counters) || p.counters.some((c) => typeof c !== "string"))) problems.push("counters: expected a list of counter names");
  for (const flag of ["downloads", "originatesBroadcasts"] as const) {
    if (p[flag] !== undefined && typeof p[flag] !== "boolean") problems.push(`${flag}: expected true or false, got ${describe(p[flag])}`);
  }
  if (problems.length > 0) throw new PluginError(`its overlay definition is not valid:\n${problems.map((x) => `    ${x}`).join("\n")}`);
  const name = p.name!;
  return {
    name,
    description: p.description!,
    schema: fields
      .strict({ type: z.literal(name), module: z.string().meta({ description: "The plug-in's file, relative to the scenario." }), ...(p.options ?? {}) })
      .meta({ description: p.description! }),
    messageTypes: p.messageTypes!,
    counters: p.counters ?? [],
    ...(p.downloads ? { downloads: true } : {}),
    ...(p.originatesBroadcasts ? { originatesBroadcasts: true } : {}),
    create: p.create!.bind(p),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "a list";
  if (value === null || typeof value === "object") return value === null ? "null" : "an object";
  return JSON.stringify(value);
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}
