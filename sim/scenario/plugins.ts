import { isAbsolute, resolve, dirname } from "node:path";
import { InputError } from "../core/errors.js";
import { loadOverlayModule, PluginError } from "../overlays/plugins.js";
import { pluginFile, registerPlugin } from "../overlays/registry.js";

/**
 * Finds every overlay a scenario takes from a module — `overlay: { type:
 * my-gossip, module: ./my-gossip.js }` at the top, in a variant or in a
 * sweep's grid — and registers it before the scenario is validated, so the
 * plug-in's options are checked like a built-in overlay's. Module paths are
 * relative to the scenario file. Called again wherever a run is built from
 * an already validated scenario in a fresh process (sweep workers).
 */
export function loadPlugins(data: unknown, scenarioFile: string): void {
  visit(data, [], scenarioFile);
}

function visit(node: unknown, path: (string | number)[], scenarioFile: string): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => visit(item, [...path, i], scenarioFile));
    return;
  }
  const record = node as Record<string, unknown>;
  if (typeof record.module === "string" && typeof record.type === "string") {
    register(record.type, record.module, [...path, "module"], scenarioFile);
    return;
  }
  for (const [key, value] of Object.entries(record)) visit(value, [...path, key], scenarioFile);
}

function register(type: string, module: string, path: (string | number)[], scenarioFile: string): void {
  const file = isAbsolute(module) ? module : resolve(dirname(scenarioFile), module);
  if (pluginFile(type) === file) return;
  const where = path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
  const fail = (why: string): never => {
    throw new InputError(
      `${scenarioFile} is not a valid scenario (1 problem; see docs/writing-an-overlay.md):\n  ${where}: the overlay module ${file} ${why}. A plug-in is a JavaScript file whose default export is a function ({ z, fields, shared }) => { name, description, options, messageTypes, counters, create }; \`peerlab new overlay <name>\` writes a starting file.`,
    );
  };
  let definition;
  try {
    definition = loadOverlayModule(file);
  } catch (err) {
    if (err instanceof PluginError) fail(err.message.startsWith("no such file") ? "does not exist" : `cannot be used: ${err.message}`);
    throw err;
  }
  if (definition.name !== type) fail(`is named "${definition.name}", but the scenario's type is "${type}"; they must match`);
  try {
    registerPlugin(definition, file);
  } catch (err) {
    fail(`cannot be registered: ${(err as Error).message}`);
  }
}
