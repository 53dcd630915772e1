import { z } from "zod";
import { describeValue } from "./fields.js";

/**
 * The one shape of every pluggable family (latency models, churn models,
 * fault kinds, overlays): a name scenarios use as the family's tag, a line of
 * description for `peerlab list` and the docs, the schema of its scenario
 * section (whose tag field is the literal `name`), and how to make it. The
 * scenario schema, `peerlab list` and scenarios/schema.json are built from
 * these lists, so adding a member is one entry in its family's list.
 */
export interface FamilyMember<Schema extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** One line, lower case, for `peerlab list`. */
  readonly description: string;
  readonly schema: Schema;
}

export interface ComponentDefinition<Made = unknown, Spec = any, Schema extends z.ZodObject = z.ZodObject> extends FamilyMember<Schema> {
  create(spec: Spec): Made;
}

type Mapped<T extends readonly { readonly schema: z.ZodObject }[]> = { -readonly [K in keyof T]: T[K]["schema"] };
type Schemas<T extends readonly { readonly schema: z.ZodObject }[]> = Mapped<T> extends [z.ZodObject, ...z.ZodObject[]] ? Mapped<T> : never;

/**
 * The zod union of a family's schemas, told apart by `tag`; anything else
 * gets one message listing the members, e.g. `expected a latency model: one
 * of "constant", "uniform", got "fast"`.
 */
export function familyUnion<const T extends readonly { readonly name: string; readonly schema: z.ZodObject }[]>(tag: string, family: string, members: T) {
  const names = members.map((m) => JSON.stringify(m.name)).join(", ");
  return z.discriminatedUnion(tag, members.map((m) => m.schema) as unknown as Schemas<T>, {
    error: (issue) => `expected ${family}: one of ${names}, got ${describeValue((issue.input as Record<string, unknown> | undefined)?.[tag])}`,
  });
}
