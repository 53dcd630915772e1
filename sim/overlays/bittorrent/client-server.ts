import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { Arrivals } from "./arrivals.js";
import type { BittorrentMessage } from "./messages.js";

type Ctx = OverlayContext<BittorrentMessage>;

/** One client of the server: its download, and when it started. */
export interface Client {
  readonly peer: PeerId;
  download: number;
  startMs: number;
  endMs: number;
  downloadedBytes: number;
}

/**
 * The comparison the lecture draws (Kurose & Ross, §2.5): the same peers,
 * arriving the same way, fetch the whole file from one server (a service
 * peer, role "server") with an HTTP GET, and the server sends it as one
 * transfer per client. Under `maxmin` its uplink is shared fairly among the
 * clients it is serving, each also bounded by its own downlink, so N clients
 * that start together finish after max(N·F/u_s, F/d_min). A client whose
 * transfer is cut (the server went down) asks again after `retryMs`; one
 * that goes offline gives its download up.
 */
export class ClientServer {
  private readonly clients: (Client | undefined)[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly server: PeerId,
    private readonly fileBytes: number,
    private readonly arrivals: Arrivals,
    private readonly retryMs: number,
    private readonly labelOf: (peer: PeerId) => string,
  ) {}

  *allClients(): Iterable<Client> {
    for (const c of this.clients) if (c !== undefined) yield c;
  }

  join(peer: PeerId): void {
    if (peer === this.server) return;
    const known = this.clients[peer];
    if (known && known.endMs >= 0) return;
    this.arrivals.schedule(peer, () => this.start(peer));
  }

  leave(peer: PeerId): void {
    this.crash(peer);
  }

  crash(peer: PeerId): void {
    const c = this.clients[peer];
    if (!c || c.download < 0) return;
    this.ctx.downloadAborted(c.download);
    c.download = -1;
  }

  private start(peer: PeerId): void {
    const ctx = this.ctx;
    const c: Client = { peer, download: ctx.downloadStarted(peer, this.fileBytes, this.labelOf(peer)), startMs: ctx.now(), endMs: -1, downloadedBytes: 0 };
    this.clients[peer] = c;
    this.ask(c);
  }

  private ask(c: Client): void {
    const ctx = this.ctx;
    ctx.request(
      c.peer,
      this.server,
      { type: "get" },
      this.retryMs,
      () => {},
      () => {
        ctx.count("serverTimeouts");
        ctx.setTimer(c.peer, this.retryMs, () => this.ask(c));
      },
    );
  }

  /** The server got a GET: it answers and sends the file. */
  serve(from: PeerId, msg: Extract<BittorrentMessage, { type: "get" }>): void {
    const ctx = this.ctx;
    const c = this.clients[from];
    if (!c || c.download < 0) return;
    ctx.reply(this.server, from, msg, { type: "getReply" });
    const download = c.download;
    ctx.transfer(
      this.server,
      from,
      this.fileBytes,
      () => {
        if (c.download !== download) return;
        c.endMs = ctx.now();
        c.downloadedBytes = this.fileBytes;
        ctx.count("serverUploadBytes", this.fileBytes);
        ctx.downloadCompleted(download);
        c.download = -1;
      },
      () => {
        ctx.count("transfersAborted");
        ctx.setTimer(from, this.retryMs, () => this.ask(c));
      },
    );
  }
}
