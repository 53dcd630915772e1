import type { Scenario } from "../scenario/schema.js";

/**
 * What a "successful lookup" means in each row of a comparison: the overlays
 * do not count the same thing (a flood finds one of a few copies, Chord
 * without storage only reaches the key's owner, Kademlia fetches one of k
 * copies), so the terminal says so under the table rather than let rows that
 * are not alike look alike.
 */
export function successNote(runs: readonly { dir: string; scenario: Scenario }[]): string {
  const lines = runs.map((r) => `  ${r.dir}: ${meaning(r.scenario.overlay as unknown as Record<string, unknown>)}`);
  return ["What success means in each row:", ...lines].join("\n");
}

function meaning(o: Record<string, unknown>): string {
  const replicas = (o.replication as { replicas?: number } | undefined)?.replicas;
  switch (o.type) {
    case "unstructured":
      return `the search reached a peer holding one of the key's ${replicas ?? "?"} copies`;
    case "hybrid":
      return `the index named a holder (of ${replicas ?? "?"} copies) and the file was fetched from it`;
    case "chord": {
      const storage = o.storage as { replicas?: number } | undefined;
      return storage ? `the value was fetched from the key's owner or one of its ${storage.replicas ?? "?"} replicas` : "the lookup reached the key's true owner (routing only: nothing is stored)";
    }
    case "kademlia":
      return o.lookups === "node" ? `the lookup found the ${o.k ?? 20} peers closest to the key (routing only)` : `the value was fetched (stored on the ${o.k ?? 20} closest peers)`;
    case "ipfs":
      return "every block of the file arrived and matched its CID (docs/ipfs.md)";
    default:
      return `as the ${String(o.type)} overlay defines it (docs/results.md)`;
  }
}
