/**
 * Churn traces: a CSV of (time, peer, event) rows that says exactly when each
 * peer joins, leaves gracefully or crashes. Replaying one trace under several
 * overlays subjects them all to the very same churn; `peerlab trace generate`
 * writes one from any scenario's churn model, and measured traces (e.g. from
 * a crawl of a deployed network) can be converted to it.
 *
 * The format (docs/faults.md):
 *
 *     # comment lines start with #
 *     time_s,peer,event
 *     0,0,join
 *     12.5,0,crash
 *
 * - time_s: seconds from the start of the run (decimals allowed), ≥ 0;
 * - peer: a label, an integer ≥ 0; labels are peers of the pool, so the pool
 *   holds max(label)+1 peers (labels never seen are never online);
 * - event: join, leave (graceful) or crash.
 *
 * Rows may come in any order: they are replayed in time order, ties in file
 * order. Every peer starts offline; a join must find its peer offline and a
 * leave or crash must find it online, or the trace is rejected with the line
 * that breaks the rule.
 */

export type TraceEvent = "join" | "leave" | "crash";
const EVENTS: readonly TraceEvent[] = ["join", "leave", "crash"];

/** A parsed trace, in time order. Plain arrays, so it travels to worker threads as it is. */
export interface ChurnTrace {
  readonly timeMs: number[];
  readonly peer: number[];
  /** 0 join, 1 leave, 2 crash. */
  readonly event: number[];
  /** Number of peer labels (max label + 1): the size of the churn pool. */
  readonly peers: number;
}

export class TraceError extends Error {
  override readonly name = "TraceError";
}

/** Largest peer label accepted: a trace names peers of a pool that is built before the run. */
const MAX_LABEL = 10_000_000;

export function parseTrace(text: string): ChurnTrace {
  const rows: { t: number; peer: number; event: number; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  let header = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const cells = line.split(",").map((c) => c.trim());
    if (!header) {
      if (cells.join(",") !== "time_s,peer,event") {
        throw new TraceError(`line ${i + 1}: expected the header "time_s,peer,event", got ${JSON.stringify(line)}`);
      }
      header = true;
      return;
    }
    if (cells.length !== 3) throw new TraceError(`line ${i + 1}: expected 3 cells (time_s,peer,event), got ${cells.length}`);
    const [t, p, e] = cells as [string, string, string];
    const seconds = t === "" ? NaN : Number(t);
    // At most 100 years, so times stay finite after conversion to ms (1e308 s would overflow to Infinity).
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3_153_600_000) {
      throw new TraceError(`line ${i + 1}: time_s: expected a number of seconds from 0 to 3153600000 (100 years), got ${JSON.stringify(t)}`);
    }
    const peer = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!Number.isInteger(peer) || peer > MAX_LABEL) throw new TraceError(`line ${i + 1}: peer: expected an integer label from 0 to ${MAX_LABEL}, got ${JSON.stringify(p)}`);
    const event = EVENTS.indexOf(e as TraceEvent);
    if (event < 0) throw new TraceError(`line ${i + 1}: event: expected one of "join", "leave", "crash", got ${JSON.stringify(e)}`);
    // Microsecond resolution: the same text always gives the same times.
    rows.push({ t: Math.round(seconds * 1e6) / 1e3, peer, event, line: i + 1 });
  });
  if (!header) throw new TraceError('expected the header "time_s,peer,event" and at least one row, got an empty file');
  rows.sort((a, b) => a.t - b.t || a.line - b.line);

  let peers = 0;
  for (const r of rows) peers = Math.max(peers, r.peer + 1);
  const online = new Uint8Array(peers);
  for (const r of rows) {
    const isOnline = online[r.peer] === 1;
    if (r.event === 0 && isOnline) throw new TraceError(`line ${r.line}: peer ${r.peer} joins at ${r.t / 1000} s but is already online`);
    if (r.event !== 0 && !isOnline) throw new TraceError(`line ${r.line}: peer ${r.peer} ${r.event === 1 ? "leaves" : "crashes"} at ${r.t / 1000} s but is not online`);
    online[r.peer] = r.event === 0 ? 1 : 0;
  }
  return { timeMs: rows.map((r) => r.t), peer: rows.map((r) => r.peer), event: rows.map((r) => r.event), peers };
}

/** Writes events (in time order) as a trace file. */
export function formatTrace(events: readonly { timeMs: number; peer: number; event: TraceEvent }[], comment: readonly string[] = []): string {
  const out = comment.map((c) => `# ${c}`);
  out.push("time_s,peer,event");
  for (const e of events) out.push(`${formatSeconds(e.timeMs)},${e.peer},${e.event}`);
  return out.join("\n") + "\n";
}

/** Seconds with microsecond resolution and no trailing zeros. */
function formatSeconds(ms: number): string {
  const micro = Math.round(ms * 1000);
  const whole = Math.floor(micro / 1e6);
  const frac = String(micro % 1e6).padStart(6, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}

export function eventName(code: number): TraceEvent {
  return EVENTS[code]!;
}
