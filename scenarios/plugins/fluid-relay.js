// File distribution from one peer to all others, client-server or by an
// ideal peer-to-peer relay, as a peerlab plug-in overlay. It exists to check
// the distribution-time bound of Kurose & Ross (Computer Networking, §2.5,
// after Kumar & Ross, "Peer-to-peer file sharing: the fluid model", 2006)
// on the bandwidth carriers: scenarios/validation/bandwidth-distribution.yaml.
//
// Each broadcast is a file of `bytes` that its publisher (the "server")
// gives to every peer online at that moment (the swarm, as a tracker would
// list it):
// - client-server: the server sends the whole file to every peer at once;
//   they share its uplink. Time: max(N·F/u_s, F/d_min).
// - relay: the fluid model's schedule for u_s ≤ (u_s + Σu_i)/N. The server
//   sends the file in `pieces` pieces, one at a time at its full rate, piece
//   k to peer k mod N, and each peer relays every piece it gets to the N−1
//   others at once. The last peer has the file at F/u_s plus one piece's
//   relay, which reaches the bound max(F/u_s, F/d_min, N·F/(u_s + Σu_i)) as
//   pieces get small.
// Every byte moves as a transfer (ctx.transfer), so the carrier decides how
// fast; a peer is reached when it has every piece.

/** @param {import("../../dist/sim/overlays/plugins.js").PluginApi} api */
export default function fluidRelay({ fields }) {
  return {
    name: "fluid-relay",
    description: "One peer gives a file to all others, client-server or by the ideal piece relay of the fluid model (Kumar & Ross 2006)",

    options: {
      schedule: fields.oneOf(["client-server", "relay"]).default("relay").meta({ description: '"client-server": the publisher sends the whole file to every peer; "relay": pieces go round the peers, who pass each on to all others.' }),
      pieces: fields.integer(1, 100000).default(1000).meta({ description: "Pieces the file is cut into for the relay schedule; more pieces get closer to the fluid bound." }),
    },

    // No message is sent: every piece moves as a transfer. The type declares that this overlay
    // spreads broadcasts, and what a piece's header costs.
    messageTypes: {
      piece: { category: "broadcast", bytes: 40 + 16 },
    },

    counters: ["piecesSent", "transfersCut"],

    create(options, ctx) {
      /** Bytes of each broadcast each peer has, by broadcast id then peer. */
      const have = new Map();
      const cut = () => ctx.count("transfersCut");

      const got = (broadcast, peer, bytes, fileBytes) => {
        const held = have.get(broadcast);
        if (!held) return;
        const before = held.get(peer) ?? 0;
        const after = before + bytes;
        held.set(peer, after);
        // Pieces are fractions of the file: the last one can fall a rounding error short.
        if (before < fileBytes * (1 - 1e-12) && after >= fileBytes * (1 - 1e-12)) ctx.reached(broadcast, peer);
      };

      const send = (from, to, bytes, arrived) => {
        ctx.count("piecesSent");
        ctx.transfer(from, to, bytes, arrived, cut);
      };

      const clientServer = (server, broadcast, fileBytes, peers) => {
        for (const peer of peers) send(server, peer, fileBytes, () => got(broadcast, peer, fileBytes, fileBytes));
      };

      const relay = (server, broadcast, fileBytes, peers) => {
        const n = peers.length;
        const piece = fileBytes / options.pieces;
        const sendPiece = (k) => {
          if (k >= options.pieces) return;
          const first = peers[k % n];
          send(server, first, piece, () => {
            got(broadcast, first, piece, fileBytes);
            for (const other of peers) if (other !== first) send(first, other, piece, () => got(broadcast, other, piece, fileBytes));
            // The next piece starts when this one is through: with no latency, as it arrives, so the
            // server's uplink never idles and never carries two pieces (the scenario has 0 ms latency).
            sendPiece(k + 1);
          });
        };
        sendPiece(0);
      };

      return {
        join() {},
        leave() {},
        crash() {},
        deliver(_to, _from, msg) {
          throw new Error(`fluid-relay: unexpected message ${msg.type}`);
        },
        broadcast(server, broadcast, bytes) {
          have.set(broadcast, new Map([[server, bytes]]));
          ctx.reached(broadcast, server);
          const peers = ctx.livePeers().filter((p) => p !== server);
          if (peers.length === 0) return;
          if (options.schedule === "client-server") clientServer(server, broadcast, bytes, peers);
          else relay(server, broadcast, bytes, peers);
        },
      };
    },
  };
}
