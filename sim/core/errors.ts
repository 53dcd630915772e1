/**
 * Bad input from the user: a scenario that does not validate, a file that
 * cannot be read, an output folder that already exists. The CLI prints the
 * message as it is (no stack trace) and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** "a.b[2].c" for a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(top level)";
}
