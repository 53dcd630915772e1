/**
 * Checks for the numeric parameters of distributions and latency models.
 * `ctx` names the thing being built, `name` the parameter, so an error reads
 * e.g. `constant latency model: "delay" must be ≥ 0, got -3`.
 */

export function finite(ctx: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${ctx}: "${name}" must be a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function positive(ctx: string, name: string, v: unknown): number {
  const x = finite(ctx, name, v);
  if (x <= 0) throw new Error(`${ctx}: "${name}" must be > 0, got ${x}`);
  return x;
}

export function nonNegative(ctx: string, name: string, v: unknown): number {
  const x = finite(ctx, name, v);
  if (x < 0) throw new Error(`${ctx}: "${name}" must be ≥ 0, got ${x}`);
  return x;
}
