/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`, e.g. `run.js --cpu-prof DIR`):
 * self time by package / file, the top functions by self time, and, with --focus,
 * the total (inclusive) time of functions whose name or file matches.
 *
 *   node dist/test/bench/profile-summary.js FILE_OR_DIR... [--top N] [--focus REGEX] [--since-ms T]
 *
 * --since-ms skips samples taken in the first T ms of the profile (module loading).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
let top = 25;
let focus: RegExp | undefined;
let sinceMs = 0;
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--top') top = Number(args[++i]);
  else if (a === '--focus') focus = new RegExp(args[++i]!);
  else if (a === '--since-ms') sinceMs = Number(args[++i]);
  else inputs.push(a);
}

function files(path: string): string[] {
  if (statSync(path).isDirectory()) return readdirSync(path).flatMap((f) => files(join(path, f)));
  return path.endsWith('.cpuprofile') ? [path] : [];
}

function bucket(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1).replace(/^file:\/\//, '') : url;
}

for (const file of inputs.flatMap(files)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let t = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < sinceMs) return;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byBucket = new Map<string, number>();
  const byFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const name = node.callFrame.functionName || '(anonymous)';
    const where = `${name} ${bucket(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    const isIdle = name === '(idle)' || name === '(program)' || name === '(garbage collector)';
    byBucket.set(isIdle ? name : bucket(node.callFrame.url), (byBucket.get(isIdle ? name : bucket(node.callFrame.url)) ?? 0) + ms);
    byFn.set(where, (byFn.get(where) ?? 0) + ms);
    if (focus) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        const key = `${f.functionName || '(anonymous)'} ${bucket(f.url)}:${f.lineNumber + 1}`;
        if (!focus.test(key) || seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
      }
    }
  }
  const show = (title: string, map: Map<string, number>, n: number) => {
    process.stdout.write(`  ${title}\n`);
    for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      process.stdout.write(`    ${v.toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  };
  process.stdout.write(`${relative(process.cwd(), file)}: ${total.toFixed(0)} ms sampled${sinceMs ? ` after ${sinceMs} ms` : ''}\n`);
  show('self time by package/file', byBucket, 15);
  show('self time by function', byFn, top);
  if (focus) show(`inclusive time, functions matching ${focus}`, inclusive, top);
}
