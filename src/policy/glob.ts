/**
 * Globs over tool names (`filesystem/read_*`): `*` matches any run of characters (`/`
 * included, so `*` alone matches every tool), `?` exactly one; every other character
 * matches itself, case-sensitively. No escapes, no character classes.
 *
 * Written here rather than taken from `node:path`'s `matchesGlob`, which is experimental in
 * Node 20 (it prints a warning) and treats `/` as a separator. The matcher is the classic
 * greedy one with a single backtrack point (the last `*`): O(pattern x text) at worst,
 * linear for the patterns people write, and no regular expression built from user text.
 */
export function matchesGlob(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1; // position in the pattern just after the last `*` seen
  let starT = 0; // where in the text that `*` currently stops
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = ++p;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      // Let the last `*` swallow one more character and retry from there.
      p = starP;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The first glob in `patterns` that matches any of `names`, or undefined. */
export function firstMatch(patterns: readonly string[], names: readonly string[]): string | undefined {
  return patterns.find((pattern) => names.some((name) => matchesGlob(name, pattern)));
}
