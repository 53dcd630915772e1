import { z } from "zod";
import { integer, oneOf, positiveNumber } from "../../core/fields.js";

/** The fields every `replication:` has: how many copies each key gets at the start, and how they are spread. */
const placementFields = () => ({
  /** Mean copies per key. */
  replicas: positiveNumber().default(3).meta({ description: "Mean copies per key; every key gets at least one." }),
  strategy: oneOf(["uniform", "proportional", "square-root"])
    .default("uniform")
    .meta({
      description: "Copies per key: the same for every key (uniform), proportional to its popularity, or to the square root of it.",
    }),
});

/** `replication:` of the overlays that place copies of keys on peers (unstructured, hybrid). */
export const replicationSchema = z
  .strictObject(placementFields())
  .prefault({})
  .meta({ description: "How copies of each key are spread over peers (Cohen & Shenker, SIGCOMM 2002)." });

export type RepairPolicy = "none" | "owner" | "path";

/**
 * `replication:` of overlays that can also make new copies when a search
 * succeeds (the unstructured overlay): the placement fields above plus a
 * repair policy (Lv, Cao, Cohen, Li & Shenker, ICS 2002): "owner" — the
 * requester keeps a copy of what it found; "path" — every peer the answer
 * passed through on its way back keeps one too, which approaches square-root
 * replication (Cohen & Shenker, SIGCOMM 2002). Copies made this way are
 * bounded per peer (`maxStored`, the least recently added evicted first);
 * a peer's own files are never evicted. The defaults change nothing.
 */
export const replicationWithRepairSchema = z
  .strictObject({
    ...placementFields(),
    onSuccess: oneOf(["none", "owner", "path"])
      .default("none")
      .meta({
        description:
          'Copies made when a search succeeds: "none"; "owner": the requester keeps a copy of what it found; "path": every peer on the answer\'s way back keeps one too (Lv et al., ICS 2002).',
      }),
    maxStored: integer(0, 1_000_000)
      .default(16)
      .meta({
        description: "Copies made by onSuccess that one peer keeps at most, besides its own files; the least recently added is evicted first.",
      }),
  })
  .prefault({})
  .meta({
    description:
      "How copies of each key are spread over peers (Cohen & Shenker, SIGCOMM 2002), and whether successful searches make more (Lv et al., ICS 2002).",
  });

export type ReplicationOptions = z.output<typeof replicationWithRepairSchema>;
