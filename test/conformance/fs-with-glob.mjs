/**
 * `node:fs` plus `globSync`, which Node 20 lacks (Node 22 has it) and the conformance
 * suite 0.1.16 imports by name. A walk of the tree filtered with `path.matchesGlob`
 * (Node 20.17+): enough for the suite's `**\/checks.json`. Served in place of `fs` to the
 * suite only, by the resolve hook in glob-sync-hooks.mjs.
 */
import fs from 'node:fs';
import path from 'node:path';

export * from 'node:fs';
export default fs;

export function globSync(patterns, options = {}) {
  const cwd = options.cwd === undefined ? process.cwd() : String(options.cwd);
  const list = Array.isArray(patterns) ? patterns : [patterns];
  const found = [];
  const walk = (relative) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(cwd, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = relative ? path.join(relative, entry.name) : entry.name;
      if (list.some((pattern) => path.matchesGlob(child, pattern))) found.push(child);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk('');
  return found;
}
