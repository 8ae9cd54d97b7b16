/**
 * Bounding the nesting depth of untrusted JSON (a model's tool arguments, a server's result or
 * schema) before recursive work touches it. `JSON.parse` itself copes with deep nesting, but
 * validators, renderers and `JSON.stringify` recurse and die with
 * `RangeError: Maximum call stack size exceeded` a few thousand levels down.
 *
 * - `jsonDepthExceeds(text, max)`: one linear, non-recursive scan of JSON TEXT, so too-deep
 *   arguments can be turned into an error tool message before `JSON.parse`.
 * - `valueDepthExceeds(value, max)`: the same for a value already parsed (iterative).
 * - `safeStringify(value, options)`: `JSON.stringify` for renderers that never throws: levels
 *   past `maxDepth` become a short placeholder; cycles and BigInts cannot break it.
 *
 * Depth counts containers: `1` and `"x"` are depth 0, `{}` and `[1]` depth 1, `{"a":[1]}` depth 2.
 */

/** The nesting allowed in tool arguments and in what renderers show (issue 9: 256 levels). */
export const MAX_JSON_DEPTH = 256;

/**
 * Whether the JSON text nests objects/arrays deeper than `maxDepth`. Brackets inside strings
 * are ignored (escapes handled); the text need not be valid JSON (it only counts brackets, so
 * call it before `JSON.parse`, which reports syntax errors). Stops at the first level too deep.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++; // the escaped character cannot end the string
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth > 0) depth--;
    }
  }
  return false;
}

/**
 * Whether a parsed value nests objects/arrays deeper than `maxDepth` (iterative: no recursion,
 * whatever the depth). An object reached twice (a shared reference, or a cycle) is walked once;
 * a cycle is therefore not "too deep" here (values from JSON.parse are trees: neither occurs).
 */
export function valueDepthExceeds(value: unknown, maxDepth: number): boolean {
  if (!isContainer(value)) return false;
  const seen = new WeakSet<object>();
  const stack: Array<{ value: object; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (depth > maxDepth) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const child of Object.values(current)) {
      if (isContainer(child)) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

export interface SafeStringifyOptions {
  /** Containers deeper than this are replaced by PLACEHOLDER (default MAX_JSON_DEPTH). */
  maxDepth?: number;
  /** As JSON.stringify's third argument. */
  indent?: number | string;
}

/** What stands in for a container past `maxDepth`. */
export const DEPTH_PLACEHOLDER = '[nested too deep]';

/**
 * `JSON.stringify` that never throws and never recurses past `maxDepth` (so no RangeError):
 * deeper containers become the string DEPTH_PLACEHOLDER, BigInts become strings, and anything
 * that still makes JSON.stringify throw (a cycle, a throwing `toJSON`) gives
 * `[value could not be shown: ...]`. A top-level `undefined` (or function, symbol) gives
 * "undefined". The output is JSON text, NOT terminal-safe: pass it through `terminalSafe`.
 */
export function safeStringify(value: unknown, options: SafeStringifyOptions = {}): string {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  // Depth of every container handed to JSON.stringify, keyed by the container, so the
  // replacer (called with the holder as `this`) knows the depth of each child it sees.
  const depths = new WeakMap<object, number>();
  function replacer(this: unknown, _key: string, child: unknown): unknown {
    if (typeof child === 'bigint') return child.toString();
    if (!isContainer(child)) return child;
    const holderDepth = isContainer(this) ? (depths.get(this) ?? 0) : 0;
    const depth = holderDepth + 1;
    if (depth > maxDepth) return DEPTH_PLACEHOLDER;
    depths.set(child, depth);
    return child;
  }
  try {
    return JSON.stringify(value, replacer, options.indent) ?? 'undefined';
  } catch (error) {
    return `[value could not be shown: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
