import { z } from "zod";
import { strict } from "../../core/fields.js";
import { at, until } from "./fields.js";
import { faultKind } from "./kind.js";

/** `kind: freeze`: every peer's periodic maintenance (the runtime's `every` tasks) stops until `until`. */

export const freeze = faultKind({
  name: "freeze",
  description: "every peer's periodic maintenance stops until `until`",
  schema: strict({
    kind: z.literal("freeze"),
    at: at(),
    until: until("maintenance resumes"),
  }).meta({ description: "Stops every peer's periodic overlay maintenance (stabilisation, pings, refreshes, repairs); lookups and joins go on." }),
  create: () => ({
    freezesMaintenance: true,
    begin(run) {
      run.freezeMaintenance(true);
      return { kind: "freeze", label: "maintenance frozen" };
    },
    end(run) {
      run.freezeMaintenance(false);
      return { kind: "unfreeze", label: "maintenance resumes" };
    },
  }),
});
