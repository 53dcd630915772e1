import { z } from "zod";
import { duration, durationHint, integer, strict } from "../../core/fields.js";
import { LookupTracer } from "../traces.js";
import { jsonLines, type FileContent } from "../writers.js";
import { observerKind } from "./kind.js";
import { SnapshotTaker } from "./snapshots.js";

/**
 * What the viewer replays: lookups traced message by message (traces.json)
 * and pictures of the overlay's graph (snapshots.json). They are one observer
 * because each needs the other: a snapshot is also taken at every traceAt
 * time, and snapshots are cut down only at the end, around the peers the
 * traced lookups touched. The tracer exists from the measurement stage (the
 * network reports every lookup message to it); snapshots are scheduled at
 * the observers stage, once the overlay they picture exists.
 */
export const replay = observerKind({
  name: "replay",
  description: "lookups traced message by message (traces.json) and pictures of the overlay's graph (snapshots.json), for the viewer",
  schema: strict({
    /** Pictures of the overlay's graph at given times, written to snapshots.json for the viewer. */
    snapshots: strict({
      at: z
        .array(duration({ positive: false, example: "5m" }))
        .min(1)
        .max(100)
        .meta({ description: `Simulated times at which to record the overlay's graph (times at or after duration are skipped). ${durationHint("5m", false)}` }),
      /** With more peers online, evenly spaced peers (by peer number) are recorded. */
      maxPeers: integer(1, 100_000)
        .default(200)
        .meta({ description: "At most this many online peers per snapshot; with more online, evenly spaced peers are kept (links to peers left out are dropped)." }),
    })
      .optional()
      .meta({ description: "Pictures of the overlay's graph (peers, links, roles) at given times, written to snapshots.json for the viewer." }),
    /** The first N measured lookups are traced message by message into traces.json. */
    traceLookups: integer(1, 10_000)
      .optional()
      .meta({ description: "Trace the first N measured lookups (or N from each time of traceAt): every message sent for them (time, from, to, type) goes to traces.json, for replay in the viewer." }),
    /** Moments to trace lookups from (e.g. the start of a fault), instead of the end of the warm-up. */
    traceAt: z
      .array(duration({ positive: false, example: "8m" }))
      .min(1)
      .max(100)
      .optional()
      .meta({
        description: `With traceLookups N: trace the first N lookups started at or after each of these times (a fault's start, say) instead of the first N measured ones; with snapshots, a snapshot is also taken at each time. ${durationHint("8m", false)}`,
      }),
  }),
  create: ({ snapshots: spec, traceLookups, traceAt }, { sim, lookups, warmupMs, endMs }) => {
    if (!spec && !traceLookups) return undefined;
    // Without traceAt, the traced lookups are the first measured ones.
    const tracer = traceLookups ? new LookupTracer(lookups, traceAt ?? warmupMs, traceLookups) : undefined;
    let taker: SnapshotTaker | undefined;
    return {
      ...(tracer ? { traceMessage: (now: number, lookup: number, from: number, to: number, type: string) => tracer.sent(now, lookup, from, to, type) } : {}),
      start(run) {
        if (spec) taker = new SnapshotTaker(sim, run.overlay, spec, endMs, tracer, traceAt ?? []);
      },
      files() {
        // Snapshots and traces can outgrow the longest string V8 allows: they are written in pieces, one line per snapshot or lookup.
        const files: Record<string, FileContent> = {};
        if (taker) files["snapshots.json"] = jsonLines("snapshots", taker.result());
        if (tracer) files["traces.json"] = jsonLines("lookups", tracer.result());
        return files;
      },
    };
  },
});
