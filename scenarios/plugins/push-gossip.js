// Push gossip ("infect and die") as a peerlab plug-in overlay, in one file.
//
// A peer that hears of an item for the first time pushes it to `fanout`
// peers picked at random from its partial view, once, and then stays quiet.
// Views are kept fresh by a shuffle in the style of Cyclon (Voulgaris et al.,
// 2005): every `shuffleInterval` a peer swaps half of its view with a random
// member of it, and forgets members that do not answer.
//
// With targets close to uniformly random, the share of peers an item reaches
// is the non-zero root of r = 1 − e^(−fanout·r) (Kermarrec, Massoulié &
// Ganesh, IEEE TPDS 2003): 0.80 for fanout 2, 0.94 for 3, 0.98 for 4.
// scenarios/validation/gossip-fanout.yaml measures it.
//
// docs/writing-an-overlay.md walks through this file. A scenario uses it with
//   overlay: { type: push-gossip, module: ./plugins/push-gossip.js, fanout: 4 }

/** @param {import("../../dist/sim/overlays/plugins.js").PluginApi} api */
export default function pushGossip({ fields }) {
  return {
    name: "push-gossip",
    description: "Push gossip (infect and die) with a fan-out, over random partial views kept by shuffling",

    // Options a scenario may set under overlay:, validated like a built-in overlay's.
    options: {
      fanout: fields.integer(1, 100).default(4).meta({ description: "Peers each newly informed peer pushes an item to." }),
      viewSize: fields.integer(2, 1000).default(20).meta({ description: "Peers in each partial view." }),
      bootstrap: fields.oneOf(["join", "oracle"]).default("join").meta({ description: '"oracle": random views built at time 0; "join": views grow from the host cache by shuffling.' }),
      shuffleInterval: fields.duration({ example: "10s" }).prefault("10s").meta({ description: "How often a peer swaps half of its view with a view member." }),
      requestTimeout: fields.duration({ example: "2s" }).prefault("2s").meta({ description: "How long a shuffle waits for its answer before the member is forgotten." }),
    },

    // Every message type, its traffic category and its size on the wire (40 bytes of TCP/IP headers each).
    messageTypes: {
      gossip: { category: "broadcast", bytes: (m) => 40 + 8 + m.bytes },
      shuffle: { category: "maintenance", bytes: (m) => 40 + 6 * m.peers.length },
      shuffleReply: { category: "maintenance", bytes: (m) => 40 + 6 * m.peers.length },
    },

    // Counters each get a column in timeseries.csv and a value in summary.json.
    counters: ["duplicates", "membersForgotten"],

    create(options, ctx) {
      /** Per-peer state for the current session; undefined when offline. */
      const views = [];
      /** Items each peer has (by broadcast id), for duplicate suppression. */
      const heard = [];

      const pick = (list, count) => {
        // A partial Fisher–Yates shuffle: `count` distinct members, uniformly.
        const copy = list.slice();
        const n = Math.min(count, copy.length);
        for (let i = 0; i < n; i++) {
          const j = i + ctx.rng.int(copy.length - i);
          [copy[i], copy[j]] = [copy[j], copy[i]];
        }
        return copy.slice(0, n);
      };

      const merge = (peer, incoming) => {
        const view = views[peer];
        for (const other of incoming) {
          if (other === peer || view.includes(other)) continue;
          if (view.length < options.viewSize) view.push(other);
          else view[ctx.rng.int(view.length)] = other; // replace a random member: views stay random samples
        }
      };

      const shuffle = (peer) => {
        const view = views[peer];
        if (view && view.length > 0) {
          const partner = view[ctx.rng.int(view.length)];
          const offer = [peer, ...pick(view.filter((p) => p !== partner), Math.floor(options.viewSize / 2) - 1)];
          ctx.request(
            peer,
            partner,
            { type: "shuffle", peers: offer },
            options.requestTimeout,
            (reply) => merge(peer, reply.peers),
            () => {
              const i = views[peer]?.indexOf(partner) ?? -1;
              if (i >= 0) views[peer].splice(i, 1);
              ctx.count("membersForgotten");
            },
          );
        }
      };

      const push = (peer, broadcast, bytes) => {
        for (const target of pick(views[peer], options.fanout)) ctx.send(peer, target, { type: "gossip", broadcast, bytes });
      };

      const start = (peer, view) => {
        views[peer] = view;
        heard[peer] = new Set();
        // Periodic work through the runtime: it ends with the session, and a freeze fault stops it.
        ctx.every(peer, options.shuffleInterval, () => shuffle(peer));
      };

      const stop = (peer) => {
        views[peer] = undefined;
        heard[peer] = undefined;
      };

      return {
        join(peer) {
          start(peer, ctx.bootstrapContacts(peer).filter((p) => p !== peer));
        },
        leave: stop,
        crash: stop,

        buildOracle(peers) {
          for (const peer of peers) start(peer, pick(peers.filter((p) => p !== peer), options.viewSize));
        },

        deliver(to, from, msg) {
          switch (msg.type) {
            case "gossip": {
              if (heard[to].has(msg.broadcast)) {
                ctx.count("duplicates");
                return;
              }
              heard[to].add(msg.broadcast);
              ctx.reached(msg.broadcast, to);
              push(to, msg.broadcast, msg.bytes);
              return;
            }
            case "shuffle": {
              const answer = pick(views[to].filter((p) => p !== from), Math.floor(options.viewSize / 2));
              ctx.reply(to, from, msg, { type: "shuffleReply", peers: answer });
              merge(to, msg.peers);
              return;
            }
            default:
              throw new Error(`push-gossip: unexpected message ${msg.type}`);
          }
        },

        broadcast(peer, broadcast, bytes) {
          heard[peer].add(broadcast);
          ctx.reached(broadcast, peer);
          push(peer, broadcast, bytes);
        },

        sample() {
          let peers = 0;
          let members = 0;
          for (const view of views) {
            if (!view) continue;
            peers++;
            members += view.length;
          }
          return { meanViewSize: peers ? members / peers : 0 };
        },

        snapshot() {
          const peers = [];
          views.forEach((view, peer) => {
            if (view) peers.push({ peer, links: view.slice(), linkKinds: view.map(() => "view"), keys: [] });
          });
          return { peers };
        },
      };
    },
  };
}
