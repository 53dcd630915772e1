// Node module hooks that let the test workers import peerlab's TypeScript
// sources natively: `./x.js` resolves to `./x.ts` where only the source
// exists (the compiled name the sources use), and a `.ts` file is
// transpiled by esbuild as it loads (types stripped, nothing bundled).
// See register.mjs for why the tests run this way.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

/** The emit settings of tsconfig.json that change code, so tests run what `tsc` would build. */
const TSCONFIG = { compilerOptions: { target: "ES2022", useDefineForClassFields: true, verbatimModuleSyntax: false } };

export async function resolve(specifier, context, next) {
  if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL?.startsWith("file:")) {
    const js = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(js))) {
      const ts = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  const path = url.startsWith("file:") ? new URL(url).pathname : "";
  if (!path.endsWith(".ts")) return next(url, context);
  const file = fileURLToPath(`file://${path}`);
  const { code } = await transform(await readFile(file, "utf8"), {
    loader: "ts",
    format: "esm",
    target: "es2022",
    sourcefile: file,
    sourcemap: "inline",
    tsconfigRaw: TSCONFIG,
  });
  return { format: "module", source: code, shortCircuit: true };
}
