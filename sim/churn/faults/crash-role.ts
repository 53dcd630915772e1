import { z } from "zod";
import { integer, strict } from "../../core/fields.js";
import type { PeerId } from "../../peers/population.js";
import { at, until } from "./fields.js";
import { faultKind, type FaultRun } from "./kind.js";

/** `kind: crash-role`: the service peers of a role (the hybrid overlay's index servers) go down, and restart at `until`. */

const schema = strict({
  kind: z.literal("crash-role"),
  at: at(),
  until: until("the crashed servers restart"),
  role: z.string().min(1).meta({ description: 'The role of the service peers to crash, e.g. "index" for the hybrid overlay\'s central server.' }),
  index: integer(0)
    .optional()
    .meta({ description: "Which server of the role (0-based); without it, every server of the role." }),
}).meta({ description: "Crashes the service peers of a role (e.g. the hybrid overlay's index server) and restarts them at `until`." });

type Spec = z.output<typeof schema>;

export const crashRole = faultKind({
  name: "crash-role",
  description: "the service peers of a role (the hybrid index) crash, and restart at `until`",
  schema,
  check(spec, scenario, issue) {
    const service = scenario.services.find((x) => x.role === spec.role);
    if (!service) {
      const roles = scenario.services.map((x) => JSON.stringify(x.role));
      issue(["role"], `expected a service role of the ${scenario.overlayType} overlay (${roles.length ? roles.join(", ") : "it has none"}), got ${JSON.stringify(spec.role)}`);
    } else if (spec.index !== undefined && spec.index >= service.count) {
      issue(["index"], `expected 0 to ${service.count - 1} (there are ${service.count} "${spec.role}" servers), got ${spec.index}`);
    }
  },
  create: (spec) => ({
    misfit(run) {
      const peers = run.services[spec.role];
      if (!peers || peers.length === 0) {
        const roles = Object.keys(run.services);
        return { field: "role", message: `no service peers with role "${spec.role}" in this overlay; ${roles.length ? `roles here: ${roles.map((r) => JSON.stringify(r)).join(", ")}` : "it has no service roles"}` };
      }
      if (spec.index !== undefined && spec.index >= peers.length) {
        return { field: "index", message: `expected 0 to ${peers.length - 1} (there are ${peers.length} "${spec.role}" servers), got ${spec.index}` };
      }
      return undefined;
    },
    begin(run) {
      for (const peer of rolePeers(spec, run)) run.serviceDown(peer);
      return { kind: "outage", label: `${roleName(spec)} down` };
    },
    end(run) {
      for (const peer of rolePeers(spec, run)) run.serviceUp(peer);
      return { kind: "restart", label: `${roleName(spec)} back up` };
    },
  }),
});

function rolePeers(spec: Spec, run: FaultRun): readonly PeerId[] {
  const peers = run.services[spec.role]!;
  return spec.index === undefined ? peers : [peers[spec.index]!];
}

function roleName(spec: Spec): string {
  return spec.index === undefined ? `${spec.role} server(s)` : `${spec.role} server ${spec.index + 1}`;
}
