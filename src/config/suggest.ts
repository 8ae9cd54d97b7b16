/**
 * "Did you mean ...?" for a key or flag that is not known: the closest known name, if it
 * is close enough to be a typo (`modle` -> `model`, `max_steps` -> `maxSteps`).
 */

/** Case, `-` and `_` do not count: `Max-Steps` is as close to `maxSteps` as it gets. */
const fold = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is within 1 edit (2 for names of 6+ characters). */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const folded = fold(name);
  const allowed = folded.length >= 6 ? 2 : 1;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(folded, fold(candidate));
    if (d <= allowed && (!best || d < best.distance)) best = { name: candidate, distance: d };
  }
  return best?.name;
}
