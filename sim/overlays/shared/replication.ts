import { z } from "zod";
import { oneOf, positiveNumber } from "../../scenario/fields.js";

/** `replication:` of the overlays that place copies of keys on peers (unstructured, hybrid). */
export const replicationSchema = z
  .strictObject({
    /** Mean copies per key. */
    replicas: positiveNumber().default(3).meta({ description: "Mean copies per key; every key gets at least one." }),
    strategy: oneOf(["uniform", "proportional", "square-root"])
      .default("uniform")
      .meta({
        description: "Copies per key: the same for every key (uniform), proportional to its popularity, or to the square root of it.",
      }),
  })
  .prefault({})
  .meta({ description: "How copies of each key are spread over peers (Cohen & Shenker, SIGCOMM 2002)." });
