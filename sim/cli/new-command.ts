import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { InputError } from "../core/errors.js";

/**
 * `peerlab new overlay <name>`: writes a commented, working starting point
 * for a plug-in overlay (docs/writing-an-overlay.md) and a scenario that
 * runs it, so a new protocol is one `peerlab run` away from its first chart.
 */

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function newOverlayCommand(args: { name: string; dir?: string; quiet?: boolean }): number {
  const name = args.name;
  if (!NAME.test(name)) {
    throw new InputError(`new overlay: expected a name of lowercase letters, digits and '-' starting with a letter (at most 40), like "my-gossip", got ${JSON.stringify(name)}`);
  }
  const dir = args.dir ?? ".";
  const moduleFile = join(dir, `${name}.js`);
  const scenarioFile = join(dir, `${name}.yaml`);
  const existing = [moduleFile, scenarioFile].filter((f) => existsSync(f));
  if (existing.length > 0) {
    throw new InputError(`new overlay: ${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written (choose another name or --dir)`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(moduleFile, overlayTemplate(name));
  writeFileSync(scenarioFile, scenarioTemplate(name, `./${basename(moduleFile)}`));
  if (!args.quiet) {
    const shown = relative(process.cwd(), scenarioFile) || scenarioFile;
    process.stdout.write(
      [
        `Wrote ${moduleFile} (the protocol) and ${scenarioFile} (a scenario that runs it).`,
        `Run it:   peerlab run ${shown}`,
        `See it:   peerlab view results/${name}`,
        "Then edit the protocol: docs/writing-an-overlay.md explains each part.",
      ].join("\n") + "\n",
    );
  }
  return 0;
}

/** A small overlay that works as written: each peer keeps the contacts it joined with and floods published items to them. */
export function overlayTemplate(name: string): string {
  return `// ${name}: a peerlab plug-in overlay (docs/writing-an-overlay.md).
//
// As written, every peer keeps the contacts the host cache gave it when it
// joined (plus every peer that contacted it) and floods each published item
// to them once. Change it into your protocol: the comments say what each
// part is for. A scenario uses it with
//   overlay: { type: ${name}, module: ./${name}.js }

/** @param {{ z: typeof import("zod").z, fields: any, shared: any }} api  peerlab's zod, field helpers (units, defaults) and shared building blocks (item ledger, fetch: docs/writing-an-overlay.md) */
export default function overlay({ fields }) {
  return {
    // The name scenarios write in overlay.type; it must match.
    name: "${name}",
    description: "Floods published items to the contacts each peer joined with",

    // Options under overlay: in a scenario, validated before the run. Give every option a default.
    options: {
      hello: fields.oneOf(["on", "off"]).default("on").meta({ description: "Introduce a joining peer to its contacts so links go both ways." }),
    },

    // Every message type: its traffic category ("lookup", "maintenance" or "broadcast")
    // and its size on the wire in bytes (a number, or a function of the message).
    messageTypes: {
      hello: { category: "maintenance", bytes: 40 },
      item: { category: "broadcast", bytes: (m) => 40 + 8 + m.bytes },
    },

    // Counters you ctx.count(...): each gets a column in timeseries.csv and a value in summary.json.
    counters: ["duplicates"],

    // Called once per run. ctx is everything the protocol may do: send, request, reply,
    // setTimer, bootstrapContacts, reached, count, rng (never Math.random: runs must repeat).
    create(options, ctx) {
      const contacts = []; // per peer: the peers it knows, or undefined while offline
      const has = []; // per peer: the items it has, by broadcast id

      return {
        join(peer) {
          contacts[peer] = ctx.bootstrapContacts(peer).filter((p) => p !== peer);
          has[peer] = new Set();
          if (options.hello === "on") for (const p of contacts[peer]) ctx.send(peer, p, { type: "hello" });
        },
        // Offline peers lose their session state; their timers and pending requests never fire.
        leave(peer) {
          contacts[peer] = has[peer] = undefined;
        },
        crash(peer) {
          contacts[peer] = has[peer] = undefined;
        },

        // A message from \`from\` arrives at online peer \`to\`.
        deliver(to, from, msg) {
          switch (msg.type) {
            case "hello":
              if (!contacts[to].includes(from)) contacts[to].push(from);
              return;
            case "item":
              if (has[to].has(msg.broadcast)) {
                ctx.count("duplicates");
                return;
              }
              has[to].add(msg.broadcast);
              ctx.reached(msg.broadcast, to); // the runtime measures coverage and time to 50/90/100 %
              for (const p of contacts[to]) if (p !== from) ctx.send(to, p, { type: "item", broadcast: msg.broadcast, bytes: msg.bytes });
              return;
            default:
              throw new Error("${name}: unexpected message " + msg.type);
          }
        },

        // workload.broadcasts: online peer \`peer\` publishes item \`broadcast\` of \`bytes\` bytes.
        broadcast(peer, broadcast, bytes) {
          has[peer].add(broadcast);
          ctx.reached(broadcast, peer);
          for (const p of contacts[peer]) ctx.send(peer, p, { type: "item", broadcast, bytes });
        },

        // Optional: numbers for each time-series row, and the graph for the viewer's topology pictures.
        sample() {
          const degrees = contacts.filter(Boolean).map((c) => c.length);
          return { meanContacts: degrees.length ? degrees.reduce((a, b) => a + b, 0) / degrees.length : 0 };
        },
        snapshot() {
          const peers = [];
          contacts.forEach((links, peer) => links && peers.push({ peer, links: links.slice(), keys: [] }));
          return { peers };
        },
      };
    },
  };
}
`;
}

export function scenarioTemplate(name: string, module: string): string {
  return `# Runs the ${name} overlay: 500 peers join over a minute, then publish one item a second.
name: ${name}
description: >
  500 peers run the ${name} plug-in overlay and spread one published item a second.
seed: 1
duration: 5m
peers:
  count: 500
  joinOver: 1m
network:
  latency: { model: lognormal, median: 40ms, sigma: 0.5, min: 5ms }
overlay:
  type: ${name}
  module: ${module}
workload:
  lookups: { count: 0 }
  broadcasts: { rate: 1/s, window: 20s }
metrics:
  warmup: 1m
  interval: 10s
`;
}
