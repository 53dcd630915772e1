import { expect } from "vitest";
import { InputError } from "../../sim/core/errors.js";

/** Runs `fn`, expects it to throw an InputError (bad input, exit code 2) and returns its message. */
export function expectInputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}
