import { extname } from "node:path";
import YAML, { isAlias, isMap, isPair, isScalar, isSeq, type YAMLError } from "yaml";
import { InputError } from "../core/errors.js";

/**
 * Scenario text → plain data, with every way a file can be malformed turned
 * into one readable paragraph: where (line, column and, when it can be known,
 * the field), what is wrong, a code frame, and a hint for the common slips.
 * YAML is a superset of JSON, so one parser reads both.
 */

/** Deeper than any scenario needs (the deepest shipped field is 5 levels); beyond it a file is a mistake or an attack. */
export const MAX_NESTING = 32;
/** Aliases may be used, but not to expand a small file into millions of nodes (the "billion laughs" bomb). */
const MAX_ALIAS_COUNT = 1000;

export function parseScenarioText(text: string, file: string): unknown {
  const kind = extname(file).toLowerCase() === ".json" ? "JSON" : "YAML";
  const tooDeep = `${file}: not valid ${kind}: values are nested more than ${MAX_NESTING} levels deep (a scenario needs at most a few); check for unclosed brackets or a generated file gone wrong.`;
  // The parser recurses per nesting level; thousands of levels overflow the stack before it can say where.
  const depth = bracketDepth(text);
  if (depth.depth > MAX_NESTING) throw new InputError(`${tooDeep.slice(0, -1)} (the brackets at line ${depth.line} open level ${MAX_NESTING + 1}).`);
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(tooDeep);
    throw new InputError(`${file}: not valid ${kind}: ${(error as Error).message}.`);
  }
  if (doc.errors.length > 0) throw new InputError(describeSyntaxError(doc, doc.errors[0]!, text, file, kind));
  const oddKey = complexKey(doc.contents, "");
  if (oddKey) {
    throw new InputError(`${file}: not valid ${kind} for a scenario: a key at ${oddKey.path || "(top level)"} (line ${lineOf(text, oddKey.offset)}) is a list or mapping; field names are plain words like duration or peers.`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof RangeError) throw new InputError(tooDeep);
    if (/alias count/i.test(message)) {
      throw new InputError(`${file}: not valid ${kind}: its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of anchored values (a "billion laughs" alias bomb?); write the values out or use fewer aliases.`);
    }
    const unresolved = /Unresolved alias.*: (.+)$/.exec(message);
    if (unresolved) {
      throw new InputError(`${file}: not valid ${kind}: the alias *${unresolved[1]} refers to no anchor; an alias can only repeat a value marked &${unresolved[1]} earlier in the file.`);
    }
    throw new InputError(`${file}: not valid ${kind}: ${message}.`);
  }
  const deep = deepestPath(data);
  if (deep) throw new InputError(`${tooDeep.slice(0, -1)} (at ${deep}).`);
  return data;
}

/** The deepest nesting of [ and { outside quotes and comments, and the line where it is first exceeded. Cheap, and safe on any input. */
function bracketDepth(text: string): { depth: number; line: number } {
  let depth = 0;
  let max = 0;
  let line = 1;
  let maxLine = 1;
  let quote = "";
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth > max) {
        max = depth;
        if (depth === MAX_NESTING + 1) maxLine = line;
      }
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return { depth: max, line: maxLine };
}

/** The path of a value nested deeper than MAX_NESTING (block-style YAML nests without brackets), or undefined. */
function deepestPath(data: unknown): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: data, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_NESTING) return path;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
    else for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: path ? `${path}.${k}` : k, depth: depth + 1 });
  }
  return undefined;
}

function describeSyntaxError(doc: YAML.Document.Parsed, error: YAMLError, text: string, file: string, kind: string): string {
  const lines = text.split(/\r?\n/);
  const line = lineOf(text, error.pos[0]);
  const col = error.pos[0] - (text.lastIndexOf("\n", error.pos[0] - 1) + 1) + 1;
  const what = error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "").trim();
  let message: string;
  if (error.code === "DUPLICATE_KEY") {
    const field = fieldAt(doc.contents, error.pos[0], "");
    const first = field ? firstDefinitionLine(doc.contents, error.pos[0], text) : undefined;
    const lines = first === undefined ? `line ${line}` : first === line ? `both on line ${line}` : `line ${first} and line ${line}`;
    message = field
      ? `the field ${field} is written twice (${lines}); keep one of them`
      : `a key is written twice in one mapping; keep one of them`;
  } else {
    message = what.charAt(0).toLowerCase() + what.slice(1);
  }
  const hint = unclosedHint(lines, line);
  const frame = codeFrame(lines, line, col);
  return `${file}: not valid ${kind} at line ${line}, column ${col}: ${message}.${hint ? ` Hint: ${hint}` : ""}\n${frame}`;
}

/** The line that opens a { or [ never closed before `errorLine`, with a hint to close it; the usual cause of indentation errors in flow style. */
function unclosedHint(lines: readonly string[], errorLine: number): string | undefined {
  for (let l = Math.min(errorLine, lines.length); l >= 1; l--) {
    const text = stripComment(lines[l - 1]!);
    const open: string[] = [];
    for (const c of text) {
      if (c === "{" || c === "[") open.push(c);
      else if ((c === "}" || c === "]") && open.length > 0) open.pop();
    }
    if (open.length > 0 && l < errorLine) {
      const closer = open.reverse().map((c) => (c === "{" ? "}" : "]")).join("");
      return `line ${l} opens ${open.length === 1 ? `a ${open[0]}` : "brackets"} that ${open.length === 1 ? "is" : "are"} not closed on that line; a flow ${open[0] === "{" ? "mapping" : "list"} must end on the line it starts (or be indented below it): add "${closer}" at the end of line ${l}.`;
    }
  }
  return undefined;
}

function stripComment(line: string): string {
  return line.replace(/(^|\s)#.*$/, "").replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
}

/** Two lines of context, the line itself and a caret under the column, each prefixed with its number. */
function codeFrame(lines: readonly string[], line: number, col: number): string {
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line);
  const width = String(to).length;
  const out: string[] = [];
  for (let l = from; l <= to; l++) out.push(`  ${String(l).padStart(width)} | ${clip(lines[l - 1]!)}`);
  out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.min(col - 1, 100))}^`);
  return out.join("\n");
}

function clip(line: string): string {
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}

/** The first mapping key that is itself a list or mapping ("? [a, b]: 1", or a "{" typed where a name belongs), with where it is. */
function complexKey(node: unknown, path: string, depth = 0): { path: string; offset: number } | undefined {
  if (depth > MAX_NESTING) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as unknown;
      const odd = key !== null && ((!isScalar(key) && !isAlias(key)) || (isScalar(key) && key.value !== null && typeof key.value === "object"));
      if (odd) return { path, offset: (pair.key as { range?: number[] }).range?.[0] ?? 0 };
      const found = complexKey(pair.value, path ? `${path}.${keyName(pair.key)}` : keyName(pair.key), depth + 1);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const found = complexKey(node.items[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : "?";
}

/** The dotted path of the key that starts at `offset`, found by walking the parsed document. */
function fieldAt(node: unknown, offset: number, path: string, depth = 0): string | undefined {
  if (depth > MAX_NESTING) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const name = keyName(pair.key);
      const here = path ? `${path}.${name}` : name;
      const range = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (range && range[0] === offset) return here;
      const inner = fieldAt(pair.value, offset, here, depth + 1);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const inner = fieldAt(node.items[i], offset, `${path}[${i}]`, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The line of the first key in the same mapping with the name of the duplicate at `offset`. */
function firstDefinitionLine(node: unknown, offset: number, text: string, depth = 0): number | undefined {
  if (depth > MAX_NESTING) return undefined;
  if (isMap(node)) {
    const dup = node.items.find((p) => isPair(p) && (p.key as { range?: number[] } | null)?.range?.[0] === offset);
    if (dup) {
      const first = node.items.find((p) => isPair(p) && keyName(p.key) === keyName(dup.key));
      const start = (first?.key as { range?: number[] } | null)?.range?.[0];
      return start === undefined ? undefined : lineOf(text, start);
    }
    for (const pair of node.items) {
      const found = isPair(pair) ? firstDefinitionLine(pair.value, offset, text, depth + 1) : undefined;
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const found = firstDefinitionLine(item, offset, text, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
