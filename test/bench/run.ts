/**
 * `npm run bench`: Switchboard's overhead, side by side with two baselines, in one run.
 *
 *   node dist/test/bench/run.js [--quick] [--runs N] [--warmup N] [--turns N]
 *                               [--only cold,turns,parallel,servers,cli-turns,big-result,many-calls,overlap,changed,call-one]
 *                               [--out FILE] [--cpu-prof DIR] [--verbose]
 *
 * Contenders (each measured conversation runs in its OWN child process):
 * - switchboard: cold start through the real CLI (`node dist/src/cli/main.js chat ...`);
 *   the other scenarios in-process through its modules (contenders/switchboard.ts), plus
 *   a 200-turn run through the CLI process for its peak RSS;
 * - floor: contenders/floor.ts, the MCP SDK client + fetch (streaming), tool calls of a
 *   turn run concurrently: the cost of the protocol itself;
 * - tiny-agents: contenders/tiny-agents.ts, @huggingface/tiny-agents' exported Agent.
 *
 * One loopback OpenAI-compatible model server (test/support/mock-llm.ts) runs in this
 * process and answers instantly from a script keyed on the conversation's content
 * (protocol.ts): N tool-calling turns of K calls, then a text answer. It counts requests
 * and request bytes. Tool servers are test/support/fixture-server.js (echo: instant;
 * sleep: 50 ms).
 *
 * Every scenario: `--warmup` discarded runs, then `--runs` measured runs, the contenders
 * interleaved (their order rotating), medians with min and max. The table goes to
 * stdout, the same data as JSON to bench-results.json (gitignored) or --out.
 * No timing here is asserted by `npm test`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startMockLlm, type MockLlm, type RecordedRequest } from '../support/mock-llm.js';
import {
  ANSWER_PREFIX,
  benchScript,
  directivePrompt,
  MODEL_NAME,
  SYSTEM_PROMPT,
  type BenchServer,
  type ContenderResult,
  type Directive,
  type Job,
} from './protocol.js';

// ---------------------------------------------------------------------------------------------
// Paths and options

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/test/bench
const REPO = resolve(HERE, '../../..');
const CLI = join(REPO, 'dist/src/cli/main.js');
const FIXTURE = join(REPO, 'dist/test/support/fixture-server.js');
const CONTENDER_SCRIPT = (name: string) => join(HERE, 'contenders', `${name}.js`);
const RSS_PROBE = join(HERE, 'rss-probe.js');
const BIG_RESULT = join(HERE, 'big-result.js');
/** The `big-result` sizes (MiB): time per MiB should not grow from the first to the second. */
const BIG_RESULT_MB = [5, 40] as const;

const CONTENDERS = ['switchboard', 'floor', 'tiny-agents'] as const;
type Contender = (typeof CONTENDERS)[number];
const SCENARIOS = ['cold', 'turns', 'parallel', 'servers', 'cli-turns', 'big-result', 'many-calls', 'overlap', 'changed', 'call-one'] as const;
type ScenarioId = (typeof SCENARIOS)[number];

interface Options {
  quick: boolean;
  runs: number;
  warmup: number;
  turns: number;
  only: Set<ScenarioId>;
  out: string;
  cpuProf?: string;
  verbose: boolean;
  /** Contenders to run (all by default); fewer for a quicker A/B of one change. */
  contenders: Contender[];
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const options: Options = {
    quick,
    runs: quick ? 2 : 7,
    warmup: quick ? 0 : 1,
    turns: 200,
    only: new Set(SCENARIOS),
    out: join(REPO, 'bench-results.json'),
    verbose: false,
    contenders: [...CONTENDERS],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min) throw new Error(`${arg} needs an integer >= ${min}`);
      return n;
    };
    switch (arg) {
      case '--quick': break;
      case '--runs': options.runs = count(1); break;
      case '--warmup': options.warmup = count(0); break;
      case '--turns': options.turns = count(1); break;
      case '--out': options.out = resolve(value()); break;
      case '--cpu-prof': options.cpuProf = resolve(value()); break;
      case '--verbose': options.verbose = true; break;
      case '--only': {
        const wanted = value().split(',').map((s) => s.trim()).filter(Boolean);
        for (const w of wanted) if (!(SCENARIOS as readonly string[]).includes(w)) throw new Error(`--only: unknown scenario ${w} (known: ${SCENARIOS.join(', ')})`);
        options.only = new Set(wanted as ScenarioId[]);
        break;
      }
      case '--contenders': {
        const wanted = value().split(',').map((s) => s.trim()).filter(Boolean);
        for (const w of wanted) if (!(CONTENDERS as readonly string[]).includes(w)) throw new Error(`--contenders: unknown contender ${w} (known: ${CONTENDERS.join(', ')})`);
        options.contenders = CONTENDERS.filter((c) => wanted.includes(c));
        break;
      }
      case '--help':
      case '-h':
        process.stdout.write(`usage: node dist/test/bench/run.js [--quick] [--runs N] [--warmup N] [--turns N] [--only ${SCENARIOS.join(',')}] [--contenders ${CONTENDERS.join(',')}] [--out FILE] [--cpu-prof DIR] [--verbose]\n`);
        process.exit(0);
      default:
        throw new Error(`unknown argument ${String(arg)} (try --help)`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Child processes

const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
const MARK_VAR = 'SWITCHBOARD_BENCH_MARK';
const markOf = (contender: Contender) => `${RUN_ID}:${contender}`;

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** spawn -> exit */
  exitMs: number;
  /** spawn -> the answer seen on stdout */
  answerMs?: number;
  stdout: string;
  stderr: string;
}

function runChild(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ChildOutcome> {
  const [contender, scenario] = [env.BENCH_CONTENDER as Contender | undefined, env.BENCH_SCENARIO];
  return spawnChild(args, env, timeoutMs).then((outcome) => {
    if (contender && scenario) collectWarnings(contender, scenario, outcome.stderr);
    return outcome;
  });
}

function spawnChild(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let answerMs: number | undefined;
    let exitMs = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child timed out after ${timeoutMs} ms: node ${args.slice(0, 3).join(' ')} ...`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
      if (answerMs === undefined && (stdout.includes(ANSWER_PREFIX) || stdout.includes('BENCH-MISMATCH'))) answerMs = performance.now() - started;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 100_000) stderr += text;
    });
    child.once('exit', () => {
      exitMs = performance.now() - started;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, exitMs, answerMs, stdout, stderr });
    });
  });
}

/** Processes of this bench run still alive (children of children included), found by the mark in their environment. */
function liveMarkedProcesses(mark: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  const needle = `${MARK_VAR}=${mark}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').some((v) => v === needle || v.startsWith(`${needle}:`))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue; // a zombie is gone, only not reaped yet
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, cmd });
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Node warnings (e.g. MaxListenersExceededWarning) a contender printed on stderr: scenario/contender -> lines. */
const warnings = new Map<string, Set<string>>();

function collectWarnings(contender: Contender, scenario: string, stderr: string): void {
  for (const line of stderr.split('\n')) {
    if (!/Warning\b/.test(line) || line.includes('--trace-warnings')) continue;
    const key = `${scenario}/${contender}`;
    if (!warnings.has(key)) warnings.set(key, new Set());
    warnings.get(key)!.add(line.replace(/^\(node:\d+\) /, '').trim());
  }
}

const leftovers: Array<{ contender: string; scenario: string; pid: number; cmd: string; killed: boolean }> = [];

/** After a contender exits, nothing it started may live on. Waits a little, then kills (by pid) what remains. */
async function checkLeftovers(contender: Contender, scenario: string): Promise<void> {
  const mark = markOf(contender);
  let alive = liveMarkedProcesses(mark);
  for (let waited = 0; alive.length > 0 && waited < 2000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    alive = liveMarkedProcesses(mark);
  }
  for (const p of alive) {
    let killed = false;
    try {
      process.kill(p.pid, 'SIGKILL');
      killed = true;
    } catch {
      // already gone
    }
    leftovers.push({ contender, scenario, pid: p.pid, cmd: p.cmd, killed });
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const ECHO: Omit<Directive, 'turns' | 'calls'> = { tool: 'echo', args: { text: 'ping' }, expect: 'ping' };
const SLEEP: Omit<Directive, 'turns' | 'calls'> = { tool: 'sleep', args: { ms: 50 }, expect: 'slept 50 ms' };

/** Per measured run and contender: named samples, plus what the mock saw. */
type Sample = Record<string, number>;

interface ScenarioPlan {
  id: ScenarioId;
  /** Runs one contender once; returns the samples of that run. */
  run(contender: Contender, profileDir?: string): Promise<Sample>;
}

interface Env {
  options: Options;
  mock: MockLlm;
  tmp: string;
}

function fixtureServer(name: string, tools: string | undefined, contender: Contender, extraArgs: string[] = []): BenchServer {
  return {
    name,
    command: process.execPath,
    args: [FIXTURE, '--name', name, ...(tools ? ['--tools', tools] : []), ...extraArgs],
    env: { [MARK_VAR]: markOf(contender) },
  };
}

/** The start-up overlap scenarios: servers taking this long to initialize, a model this slow to its first token. */
const SLOW_START_MS = 1500;
const FIRST_TOKEN_MS = 1000;

/** A Switchboard CLI run (chat or call) as a process, checked; XDG_CACHE_HOME is `cache`. */
async function runSwitchboardCli(args: string[], cache: string, scenario: string, profileDir?: string): Promise<ChildOutcome> {
  const outcome = await runChild([...profFlags(profileDir), CLI, ...args], childEnv('switchboard', { XDG_CACHE_HOME: cache }));
  await checkLeftovers('switchboard', scenario);
  if (outcome.code !== 0) throw new Error(`${scenario}/switchboard CLI exited ${outcome.code ?? outcome.signal}: ${outcome.stderr.slice(-2000)}`);
  return outcome;
}

/** The same servers as a Switchboard config file. */
function writeConfig(env: Env, servers: BenchServer[], file: string): string {
  const path = join(env.tmp, file);
  const mcpServers: Record<string, unknown> = {};
  for (const s of servers) mcpServers[s.name] = { command: s.command, args: s.args, env: s.env };
  writeFileSync(path, JSON.stringify({ mcpServers }, null, 2));
  return path;
}

let currentScenario = '';

/** Every bench process gets a tool-listing cache folder of the bench's own (never the user's); fresh per run unless given. */
let benchTmp = tmpdir();

function childEnv(contender: Contender, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // XDG homes of the bench's own: no session files, trust store or user config of the user's
  // are read or written (the CLI records a session per chat unless told otherwise).
  const env: NodeJS.ProcessEnv = { ...process.env, [MARK_VAR]: markOf(contender), BENCH_CONTENDER: contender, BENCH_SCENARIO: currentScenario, XDG_CACHE_HOME: mkdtempSync(join(benchTmp, 'cache-')), XDG_STATE_HOME: join(benchTmp, 'state'), XDG_CONFIG_HOME: join(benchTmp, 'no-config-home'), ...extra };
  delete env.HF_TOKEN; // never needed: the model server is on loopback
  delete env.NODE_OPTIONS;
  return env;
}

function profFlags(profileDir: string | undefined): string[] {
  if (!profileDir) return [];
  mkdirSync(profileDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
}

function parseResult(outcome: ChildOutcome, what: string): ContenderResult {
  const lines = outcome.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  let result: ContenderResult | undefined;
  try {
    result = JSON.parse(last) as ContenderResult;
  } catch {
    // below
  }
  if (!result || !result.ok || outcome.code !== 0) {
    throw new Error(`${what} failed (exit ${outcome.code ?? outcome.signal}): ${result?.error ?? ''}\nstdout: ${outcome.stdout.slice(-2000)}\nstderr: ${outcome.stderr.slice(-2000)}`);
  }
  return result;
}

function checkAnswer(answer: string | undefined, what: string): void {
  if (!answer || !answer.includes(ANSWER_PREFIX)) throw new Error(`${what}: wrong answer: ${JSON.stringify(answer?.slice(0, 300))}`);
}

/** The mock's requests of one conversation (by its tag), then counted. */
function conversationTraffic(requests: RecordedRequest[], tag: string, turns: number): Sample {
  let count = 0;
  let bytes = 0;
  for (const request of requests) {
    const messages: any[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
    const user = [...messages].reverse().find((m) => m?.role === 'user');
    if (typeof user?.content !== 'string' || !user.content.includes(`"tag":"${tag}"`)) continue;
    count++;
    bytes += request.bytes;
  }
  return { requests: count, bytesPerTurn: bytes / (turns + 1), bytesTotal: bytes };
}

function takeRequests(mock: MockLlm): RecordedRequest[] {
  return mock.requests.splice(0, mock.requests.length);
}

function buildPlans(env: Env): ScenarioPlan[] {
  const { options, mock } = env;
  const N = options.turns;
  const plans: ScenarioPlan[] = [];

  // Conversation run in a contender script (in-process for Switchboard).
  const scriptConversation = async (
    contender: Contender,
    scenario: ScenarioId,
    servers: BenchServer[],
    directive: Directive,
    warmup: Directive | undefined,
    profileDir: string | undefined,
  ): Promise<{ result: ContenderResult; outcome: ChildOutcome; requests: RecordedRequest[] }> => {
    const job: Job = {
      kind: 'conversation',
      mockUrl: mock.url,
      model: MODEL_NAME,
      system: SYSTEM_PROMPT,
      servers,
      configPath: writeConfig(env, servers, `${scenario}-${contender}.json`),
      directive,
      ...(warmup ? { warmup } : {}),
    };
    takeRequests(mock);
    const outcome = await runChild([...profFlags(profileDir), CONTENDER_SCRIPT(contender), JSON.stringify(job)], childEnv(contender));
    const requests = takeRequests(mock);
    await checkLeftovers(contender, scenario);
    const result = parseResult(outcome, `${scenario}/${contender}`);
    checkAnswer(result.answer, `${scenario}/${contender}`);
    return { result, outcome, requests };
  };

  if (options.only.has('cold')) {
    const directive: Directive = { turns: 1, calls: 1, ...ECHO, tag: 'measured' } as Directive;
    plans.push({
      id: 'cold',
      async run(contender, profileDir) {
        const servers = [fixtureServer('fixture', 'echo', contender)];
        let outcome: ChildOutcome;
        if (contender === 'switchboard') {
          const config = writeConfig(env, servers, `cold-${contender}.json`);
          takeRequests(mock);
          outcome = await runChild(
            [...profFlags(profileDir), CLI, 'chat', '--config', config, '--endpoint-url', mock.url, '--model', MODEL_NAME, '--yes', '--system', SYSTEM_PROMPT, directivePrompt(directive)],
            childEnv(contender),
          );
          await checkLeftovers(contender, 'cold');
          if (outcome.code !== 0) throw new Error(`cold/switchboard CLI exited ${outcome.code ?? outcome.signal}: ${outcome.stderr.slice(-2000)}`);
          checkAnswer(outcome.stdout, 'cold/switchboard');
        } else {
          const job: Job = { kind: 'conversation', mockUrl: mock.url, model: MODEL_NAME, system: SYSTEM_PROMPT, servers, configPath: '', directive };
          takeRequests(mock);
          outcome = await runChild([...profFlags(profileDir), CONTENDER_SCRIPT(contender), JSON.stringify(job)], childEnv(contender));
          await checkLeftovers(contender, 'cold');
          checkAnswer(parseResult(outcome, `cold/${contender}`).answer, `cold/${contender}`);
        }
        const traffic = conversationTraffic(takeRequests(mock), 'measured', 1);
        return { exitMs: outcome.exitMs, answerMs: outcome.answerMs ?? Number.NaN, ...traffic };
      },
    });
  }

  if (options.only.has('turns')) {
    const directive = { turns: N, calls: 1, ...ECHO, tag: 'measured' } as Directive;
    const warmup = { turns: 5, calls: 1, ...ECHO, tag: 'warmup' } as Directive;
    plans.push({
      id: 'turns',
      async run(contender, profileDir) {
        const servers = [fixtureServer('fixture', 'echo', contender)];
        const { result, requests } = await scriptConversation(contender, 'turns', servers, directive, warmup, profileDir);
        return {
          perTurnMs: result.conversationMs! / N,
          cpuPerTurnMs: result.conversationCpuMs! / N,
          conversationMs: result.conversationMs!,
          maxRssMb: result.maxRssKb / 1024,
          ...conversationTraffic(requests, 'measured', N),
        };
      },
    });
  }

  if (options.only.has('parallel')) {
    const directive = { turns: 1, calls: 20, ...SLEEP, tag: 'measured' } as Directive;
    const warmup = { turns: 1, calls: 20, ...SLEEP, tag: 'warmup' } as Directive;
    plans.push({
      id: 'parallel',
      async run(contender, profileDir) {
        const servers = [fixtureServer('fixture', 'sleep', contender)];
        const { result, requests } = await scriptConversation(contender, 'parallel', servers, directive, warmup, profileDir);
        return { turnMs: result.conversationMs!, firstTurnMs: result.warmupMs!, ...conversationTraffic(requests, 'measured', 1) };
      },
    });
  }

  if (options.only.has('servers')) {
    plans.push({
      id: 'servers',
      async run(contender, profileDir) {
        const servers = Array.from({ length: 10 }, (_, i) => fixtureServer(`fixture${i}`, undefined, contender));
        const job: Job = { kind: 'list', servers, configPath: writeConfig(env, servers, `servers-${contender}.json`) };
        const outcome = await runChild([...profFlags(profileDir), CONTENDER_SCRIPT(contender), JSON.stringify(job)], childEnv(contender));
        await checkLeftovers(contender, 'servers');
        const result = parseResult(outcome, `servers/${contender}`);
        if (!result.toolCount || result.toolCount < 10) throw new Error(`servers/${contender}: only ${result.toolCount} tools listed`);
        return { listMs: result.listMs!, toolCount: result.toolCount, processMs: outcome.exitMs };
      },
    });
  }

  if (options.only.has('cli-turns')) {
    const directive = { turns: N, calls: 1, ...ECHO, tag: 'measured' } as Directive;
    plans.push({
      id: 'cli-turns',
      async run(contender, profileDir) {
        const servers = [fixtureServer('fixture', 'echo', contender)];
        const rssFile = join(env.tmp, `rss-${contender}.txt`);
        rmSync(rssFile, { force: true });
        const probe = ['--import', RSS_PROBE];
        let outcome: ChildOutcome;
        takeRequests(mock);
        if (contender === 'switchboard') {
          const config = writeConfig(env, servers, `cli-turns-${contender}.json`);
          outcome = await runChild(
            [...probe, ...profFlags(profileDir), CLI, 'chat', '--config', config, '--endpoint-url', mock.url, '--model', MODEL_NAME, '--yes', '--system', SYSTEM_PROMPT, '--max-steps', String(N + 5), directivePrompt(directive)],
            childEnv(contender, { BENCH_RSS_FILE: rssFile }),
          );
          if (outcome.code !== 0) throw new Error(`cli-turns/switchboard CLI exited ${outcome.code ?? outcome.signal}: ${outcome.stderr.slice(-2000)}`);
          checkAnswer(outcome.stdout, 'cli-turns/switchboard');
        } else {
          const job: Job = { kind: 'conversation', mockUrl: mock.url, model: MODEL_NAME, system: SYSTEM_PROMPT, servers, configPath: '', directive };
          outcome = await runChild([...probe, ...profFlags(profileDir), CONTENDER_SCRIPT(contender), JSON.stringify(job)], childEnv(contender, { BENCH_RSS_FILE: rssFile }));
          checkAnswer(parseResult(outcome, `cli-turns/${contender}`).answer, `cli-turns/${contender}`);
        }
        await checkLeftovers(contender, 'cli-turns');
        const traffic = conversationTraffic(takeRequests(mock), 'measured', N);
        const rssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim()) : Number.NaN;
        return { processMs: outcome.exitMs, maxRssMb: rssKb / 1024, requests: traffic.requests! };
      },
    });
  }
  if (options.only.has('big-result')) {
    plans.push({
      id: 'big-result',
      async run(contender) {
        if (contender === 'tiny-agents') return {}; // its transport is the SDK's: the floor row says enough
        const sample: Sample = {};
        for (const mb of BIG_RESULT_MB) {
          const outcome = await runChild([BIG_RESULT, contender, String(mb)], childEnv(contender), 300_000);
          await checkLeftovers(contender, 'big-result');
          const result = JSON.parse(outcome.stdout.trim().split('\n').pop() ?? '{}') as { ok?: boolean; ms?: number; error?: string };
          if (!result.ok || outcome.code !== 0) throw new Error(`big-result/${contender} ${mb} MiB failed: ${result.error ?? outcome.stderr.slice(-2000)}`);
          sample[`msPerMb${mb}`] = result.ms! / mb;
        }
        sample.linearity = sample[`msPerMb${BIG_RESULT_MB[1]}`]! / sample[`msPerMb${BIG_RESULT_MB[0]}`]!;
        return sample;
      },
    });
  }
  if (options.only.has('many-calls')) {
    // Switchboard only (the other contenders have no per-reply cap to lift): one reply of 100,
    // 1,000 and 10,000 `echo` calls, each through the real CLI with maxToolCallsPerReply raised
    // so every call runs (16 at once). The 100-call run is the baseline (start-up, servers): the
    // cost per extra call is (t(N) - t(100)) / (N - 100). Linear work gives a ratio near 1
    // between 10,000 and 1,000; the racing loop this replaced was quadratic (~10x).
    plans.push({
      id: 'many-calls',
      async run(contender) {
        if (contender !== 'switchboard') return {};
        const servers = [fixtureServer('fixture', 'echo', contender)];
        const config = join(env.tmp, 'many-calls-switchboard.json');
        const mcpServers = Object.fromEntries(servers.map((s) => [s.name, { command: s.command, args: s.args, env: s.env }]));
        writeFileSync(config, JSON.stringify({ mcpServers, maxToolCallsPerReply: 10_000 }, null, 2));
        const sample: Sample = {};
        for (const calls of [100, 1_000, 10_000]) {
          const rssFile = join(env.tmp, `rss-many-calls-${calls}.txt`);
          rmSync(rssFile, { force: true });
          const directive = { turns: 1, calls, ...ECHO, tag: 'measured' } as Directive;
          takeRequests(mock);
          const outcome = await runChild(
            ['--import', RSS_PROBE, CLI, 'chat', '--config', config, '--endpoint-url', mock.url, '--model', MODEL_NAME, '--yes', '--system', SYSTEM_PROMPT, directivePrompt(directive)],
            childEnv(contender, { BENCH_RSS_FILE: rssFile }),
            300_000,
          );
          await checkLeftovers(contender, 'many-calls');
          if (outcome.code !== 0) throw new Error(`many-calls/switchboard (${calls} calls) CLI exited ${outcome.code ?? outcome.signal}: ${outcome.stderr.slice(-2000)}`);
          checkAnswer(outcome.stdout, `many-calls/switchboard (${calls} calls)`);
          sample[`exitMs${calls}`] = outcome.exitMs;
          sample[`maxRssMb${calls}`] = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim()) / 1024 : Number.NaN;
        }
        sample.perCallMs1000 = (sample.exitMs1000! - sample.exitMs100!) / 900;
        sample.perCallMs10000 = (sample.exitMs10000! - sample.exitMs100!) / 9_900;
        sample.perCallRatio = sample.perCallMs10000 / sample.perCallMs1000;
        return sample;
      },
    });
  }
  // The start-up overlap: 3 servers slow to initialize, a model slow to its first token, one
  // tool call. Switchboard: the real CLI with a warm cache (its own folder, warmed by an
  // untimed run); floor and tiny-agents start their servers and then ask the model.
  const overlapRun = async (contender: Contender, scenario: 'overlap' | 'changed', profileDir: string | undefined): Promise<Sample> => {
    const directive = { turns: 1, calls: 1, ...(scenario === 'changed' ? { tool: 'add', args: { a: 2, b: 3 }, expect: '5' } : ECHO), tag: 'measured' } as Directive;
    const toolsFile = join(env.tmp, `${scenario}-tools.txt`);
    // Distinct tool names (the directive calls `echo` / `add` by name): slow0 lists them, from a file the "changed" case edits.
    const slow = ['--slow-start', String(SLOW_START_MS)];
    const servers = [fixtureServer('slow0', undefined, contender, [...slow, '--tools-file', toolsFile]), fixtureServer('slow1', 'sleep', contender, slow), fixtureServer('slow2', 'fail', contender, slow)];
    writeFileSync(toolsFile, scenario === 'changed' ? 'echo,add' : 'echo');
    mock.firstTokenDelayMs = FIRST_TOKEN_MS;
    try {
      let outcome: ChildOutcome;
      let answer: string | undefined;
      if (contender === 'switchboard') {
        const config = writeConfig(env, servers, `${scenario}-${contender}.json`);
        const cache = join(env.tmp, `${scenario}-cache`);
        const args = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', MODEL_NAME, '--yes', '--system', SYSTEM_PROMPT, directivePrompt(directive)];
        if (!existsSync(cache) || scenario === 'changed') {
          // Warm (untimed): the cache learns a listing; for "changed", the one without `add`.
          rmSync(cache, { recursive: true, force: true });
          writeFileSync(toolsFile, 'echo');
          const warm = { ...ECHO, turns: 1, calls: 1, tag: 'warmup' } as Directive;
          await runSwitchboardCli(['chat', '--config', config, '--endpoint-url', mock.url, '--model', MODEL_NAME, '--yes', '--system', SYSTEM_PROMPT, directivePrompt(warm)], cache, scenario);
          writeFileSync(toolsFile, scenario === 'changed' ? 'echo,add' : 'echo');
        }
        takeRequests(mock);
        outcome = await runSwitchboardCli(args, cache, scenario, profileDir);
        answer = outcome.stdout;
      } else {
        const job: Job = { kind: 'conversation', mockUrl: mock.url, model: MODEL_NAME, system: SYSTEM_PROMPT, servers, configPath: '', directive };
        takeRequests(mock);
        outcome = await runChild([...profFlags(profileDir), CONTENDER_SCRIPT(contender), JSON.stringify(job)], childEnv(contender));
        await checkLeftovers(contender, scenario);
        answer = parseResult(outcome, `${scenario}/${contender}`).answer;
      }
      checkAnswer(answer, `${scenario}/${contender}`);
      const requests = takeRequests(mock).filter((r) => {
        const messages: any[] = Array.isArray(r.body?.messages) ? r.body.messages : [];
        const user = messages.find((m) => m?.role === 'user');
        return typeof user?.content === 'string' && user.content.includes('"tag":"measured"');
      });
      // The answer must come from the fresh tools: the request that produced the tool call offered `add`.
      const toolCallRequest = requests.at(-2);
      const offered = ((toolCallRequest?.body?.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name);
      if (scenario === 'changed' && !offered.some((name) => name.endsWith('add'))) throw new Error(`changed/${contender}: the tool call was made without the fresh tools (offered: ${offered.join(', ')})`);
      return { answerMs: outcome.answerMs ?? Number.NaN, exitMs: outcome.exitMs, modelRequests: requests.length };
    } finally {
      mock.firstTokenDelayMs = 0;
    }
  };
  if (options.only.has('overlap')) plans.push({ id: 'overlap', run: (contender, profileDir) => overlapRun(contender, 'overlap', profileDir) });
  if (options.only.has('changed')) plans.push({ id: 'changed', run: (contender, profileDir) => overlapRun(contender, 'changed', profileDir) });

  let callRuns = 0;
  // `call server/tool` with 4 servers configured, one never answering initialize, against the
  // same call with only that server configured (Switchboard only: the floor column of its row
  // holds the single-server call).
  if (options.only.has('call-one')) {
    plans.push({
      id: 'call-one',
      async run(contender, profileDir): Promise<Sample> {
        if (contender !== 'switchboard') return {};
        const target = fixtureServer('target', 'echo', contender);
        const others = [fixtureServer('other1', 'echo', contender), fixtureServer('other2', 'echo', contender), fixtureServer('hanging', 'echo', contender, ['--start-gate', join(env.tmp, 'never-opened')])];
        const singleConfig = writeConfig(env, [target], 'call-one-single.json');
        const fourConfig = writeConfig(env, [target, ...others], 'call-one-four.json');
        const cache = join(env.tmp, 'call-one-cache');
        const call = (config: string) => runSwitchboardCli(['call', '--config', config, 'target/echo', '{"text":"ping"}'], cache, 'call-one', profileDir);
        // Three pairs per sample, alternating which goes first (neither always pays for a cold
        // file cache). The difference is taken within each pair, run back to back, so a slow
        // moment of the machine weighs on both sides: the paired difference is the row's measure
        // (the two spawn -> exit times of ~600 ms each vary by +-70 ms between runs here, more
        // than the 30 ms target).
        const single: number[] = [];
        const fourServers: number[] = [];
        const differences: number[] = [];
        for (let pair = 0; pair < 3; pair++) {
          let a: ChildOutcome;
          let b: ChildOutcome;
          if (callRuns++ % 2 === 0) {
            a = await call(singleConfig);
            b = await call(fourConfig);
          } else {
            b = await call(fourConfig);
            a = await call(singleConfig);
          }
          for (const outcome of [a, b]) if (!outcome.stdout.includes('ping')) throw new Error(`call-one: unexpected result ${outcome.stdout.slice(0, 300)}`);
          single.push(a.exitMs);
          fourServers.push(b.exitMs);
          differences.push(b.exitMs - a.exitMs);
        }
        return { singleMs: median(single), fourMs: median(fourServers), differenceMs: median(differences) };
      },
    });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------
// Statistics and the report

interface Stat {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function median(samples: readonly number[]): number {
  return stat([...samples]).median;
}

function stat(samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, samples };
}

type Target =
  | { kind: 'plus'; value: number } // <= floor + value
  | { kind: 'times'; value: number } // <= floor * value
  | { kind: 'exact'; value: number } // == value
  | { kind: 'none' };

interface Row {
  id: string;
  scenario: string;
  unit: string;
  digits: number;
  target: Target;
  targetText: string;
  values: Partial<Record<Contender, Stat>>;
  ratio?: { switchboard?: number; 'tiny-agents'?: number };
  met?: boolean;
  note?: string;
}

function describeTarget(target: Target, unit: string): string {
  switch (target.kind) {
    case 'plus': return `<= floor + ${target.value} ${unit}`;
    case 'times': return `<= ${target.value.toFixed(2)} x floor`;
    case 'exact': return `== ${target.value}`;
    case 'none': return '(info)';
  }
}

function judge(row: Row): void {
  const sb = row.values.switchboard?.median;
  const fl = row.values.floor?.median;
  const ta = row.values['tiny-agents']?.median;
  if (fl !== undefined && fl > 0) row.ratio = { ...(sb !== undefined ? { switchboard: sb / fl } : {}), ...(ta !== undefined ? { 'tiny-agents': ta / fl } : {}) };
  if (sb === undefined) return;
  switch (row.target.kind) {
    case 'plus': if (fl !== undefined) row.met = sb <= fl + row.target.value; break;
    case 'times': if (fl !== undefined) row.met = sb <= fl * row.target.value; break;
    case 'exact': row.met = row.values.switchboard!.samples.every((v) => v === (row.target as { value: number }).value); break;
    case 'none': break;
  }
}

function fmt(n: number | undefined, digits: number): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  return n.toFixed(digits);
}

function cell(s: Stat | undefined, digits: number, unit: string): string {
  if (!s) return '-';
  const u = unit ? ` ${unit}` : '';
  if (s.min === s.max) return `${fmt(s.median, digits)}${u}`;
  return `${fmt(s.median, digits)}${u} (${fmt(s.min, digits)}-${fmt(s.max, digits)})`;
}

function ratioCell(row: Row): string {
  if (!row.ratio) return '-';
  const sb = row.ratio.switchboard;
  const ta = row.ratio['tiny-agents'];
  const sbMedian = row.values.switchboard?.median;
  const flMedian = row.values.floor?.median;
  let text = sb === undefined ? '-' : `${sb.toFixed(2)}x`;
  if (row.target.kind === 'plus' && sbMedian !== undefined && flMedian !== undefined) {
    const d = sbMedian - flMedian;
    text += ` (${d >= 0 ? '+' : ''}${d.toFixed(row.digits)} ${row.unit})`;
  }
  if (ta !== undefined) text += `; ta ${ta.toFixed(2)}x`;
  return text;
}

function renderTable(rows: Row[]): string {
  const header = ['scenario', 'Switchboard', 'floor', 'tiny-agents', 'ratio to floor (SB; ta)', 'target', 'met?'];
  const body = rows.map((row) => [
    row.scenario,
    cell(row.values.switchboard, row.digits, row.unit),
    cell(row.values.floor, row.digits, row.unit),
    cell(row.values['tiny-agents'], row.digits, row.unit),
    ratioCell(row),
    row.targetText,
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

function gitInfo(): { commit?: string; dirty?: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit, dirty: status.length > 0 };
  } catch {
    return {};
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  for (const path of [CLI, FIXTURE, CONTENDER_SCRIPT('floor'), RSS_PROBE]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: build first (npx tsc -p tsconfig.json, or npm run bench)`);
  }
  const started = performance.now();
  const loadBefore = loadavg();
  const tmp = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const mock = await startMockLlm({ script: (request) => benchScript(request) });
  const env: Env = { options, mock, tmp };
  benchTmp = tmp;
  const samples = new Map<ScenarioId, Map<Contender, Sample[]>>();
  const driver = 'in-process (contenders/switchboard.ts: withSession + Agent + runTurn, as src/cli/chat.ts, no renderer)';
  try {
    if (loadBefore[0]! > cpus().length) log(`WARNING: load average ${loadBefore[0]!.toFixed(1)} on ${cpus().length} cores: other work is running, the numbers will be noisy`);
    log(`switchboard bench: ${options.quick ? 'QUICK, ' : ''}${options.warmup} warm-up + ${options.runs} measured runs per scenario and contender, ${cpus().length} cores, node ${process.version}${options.cpuProf ? `, PROFILING into ${options.cpuProf} (timings perturbed)` : ''}`);
    for (const plan of buildPlans(env)) {
      currentScenario = plan.id;
      const perContender = new Map<Contender, Sample[]>(CONTENDERS.map((c) => [c, []]));
      samples.set(plan.id, perContender);
      const scenarioStarted = performance.now();
      const total = options.warmup + options.runs;
      for (let rep = 0; rep < total; rep++) {
        const measured = rep >= options.warmup;
        // Rotate the order so no contender always runs first (or right after another).
        const chosen = options.contenders;
        const order = chosen.map((_, i) => chosen[(i + rep) % chosen.length]!);
        for (const contender of order) {
          const profileDir = options.cpuProf && measured && rep === options.warmup ? join(options.cpuProf, plan.id, contender) : undefined;
          const sample = await plan.run(contender, profileDir);
          if (options.verbose) log(`  ${plan.id} ${contender} ${measured ? `run ${rep - options.warmup + 1}` : 'warm-up'}: ${JSON.stringify(sample)}`);
          if (measured) perContender.get(contender)!.push(sample);
        }
      }
      log(`  ${plan.id}: done in ${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    await mock.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  // Rows
  const rows: Row[] = [];
  const pick = (id: ScenarioId, key: string): Partial<Record<Contender, Stat>> => {
    const per = samples.get(id);
    const out: Partial<Record<Contender, Stat>> = {};
    if (!per) return out;
    for (const c of CONTENDERS) {
      const list = per.get(c)!.map((s) => s[key]).filter((v): v is number => v !== undefined);
      if (list.length) out[c] = stat(list);
    }
    return out;
  };
  const add = (id: ScenarioId, key: string, scenario: string, unit: string, digits: number, target: Target, note?: string) => {
    if (!samples.has(id)) return;
    const row: Row = { id: `${id}.${key}`, scenario, unit, digits, target, targetText: describeTarget(target, unit), values: pick(id, key), ...(note ? { note } : {}) };
    judge(row);
    rows.push(row);
  };
  const N = options.turns;
  const overlapNote = `3 servers initializing in ${SLOW_START_MS / 1000} s, model first token after ${FIRST_TOKEN_MS / 1000} s, one tool call`;
  add('overlap', 'answerMs', `${overlapNote}, warm cache: spawn -> answer`, 'ms', 0, { kind: 'plus', value: -(Math.min(SLOW_START_MS, FIRST_TOKEN_MS) - 150) }, 'target = max(servers, model) + 150 ms instead of their sum');
  add('changed', 'answerMs', '  same, a server\'s tools changed since the cache (the answer uses the fresh tool)', 'ms', 0, { kind: 'plus', value: 100 });
  add('overlap', 'modelRequests', '  model requests per answer, warm cache, nothing changed', '', 0, { kind: 'exact', value: 2 });
  // The same two rows as differences within each repetition (Switchboard's run and the floor's
  // run right after or before it): the machine's drift weighs on both sides of each pair.
  for (const [id, label] of [['overlap', 'warm cache'], ['changed', 'tools changed']] as const) {
    const per = samples.get(id);
    if (!per) continue;
    const sb = per.get('switchboard')!.map((s) => s.answerMs!);
    const fl = per.get('floor')!.map((s) => s.answerMs!);
    if (sb.length === 0 || sb.length !== fl.length) continue;
    rows.push({ id: `${id}.pairedMs`, scenario: `  ${label}: Switchboard - floor, paired by repetition`, unit: 'ms', digits: 0, target: { kind: 'none' }, targetText: '(info)', values: { switchboard: stat(sb.map((v, i) => v - fl[i]!)) } });
  }
  if (samples.has('call-one')) {
    const per = samples.get('call-one')!.get('switchboard')!;
    const difference = stat(per.map((s) => s.differenceMs!));
    const row: Row = {
      id: 'call-one.fourMs',
      scenario: '`call server/tool`, 4 servers configured (1 hanging): spawn -> exit; floor column = same call, 1 server configured',
      unit: 'ms',
      digits: 0,
      target: { kind: 'plus', value: 30 },
      targetText: '<= 1-server call + 30 ms (paired)',
      values: { switchboard: stat(per.map((s) => s.fourMs!)), floor: stat(per.map((s) => s.singleMs!)) },
    };
    judge(row);
    // Judged on the paired difference (each sample: the median of 3 back-to-back pairs), not on
    // the difference of the two medians: the runs' spread is wider than the target.
    row.met = difference.median <= 30;
    rows.push(row);
    rows.push({
      id: 'call-one.differenceMs',
      scenario: '  same, paired: 4-server call - 1-server call, run back to back',
      unit: 'ms',
      digits: 0,
      target: { kind: 'none' },
      targetText: '<= 30 ms',
      values: { switchboard: difference },
      met: difference.median <= 30,
    });
  }
  add('cold', 'exitMs', 'cold start, one tool call: spawn -> exit (SB: real CLI)', 'ms', 0, { kind: 'plus', value: 30 });
  add('cold', 'answerMs', 'cold start, one tool call: spawn -> answer on stdout', 'ms', 0, { kind: 'none' });
  add('turns', 'perTurnMs', `${N} tool-calling turns in a row: wall time per turn`, 'ms', 3, { kind: 'times', value: 1.05 });
  add('turns', 'cpuPerTurnMs', '  same, CPU time of the host process per turn', 'ms', 3, { kind: 'none' });
  add('parallel', 'turnMs', '20 parallel calls (sleep 50 ms) in one turn: whole turn', 'ms', 1, { kind: 'times', value: 1.2 });
  add('parallel', 'firstTurnMs', '  same, first conversation of the process (cold)', 'ms', 1, { kind: 'none' });
  add('servers', 'listMs', '10 stdio servers: start -> all tools listed', 'ms', 0, { kind: 'times', value: 1.05 });
  add('turns', 'maxRssMb', `${N} turns: peak RSS of the host (SB in-process)`, 'MB', 1, { kind: 'plus', value: 10 });
  add('cli-turns', 'maxRssMb', `${N} turns: peak RSS of the host (SB: real CLI process)`, 'MB', 1, { kind: 'plus', value: 10 });
  add('cli-turns', 'processMs', `${N} turns as a process: spawn -> exit (SB: real CLI)`, 'ms', 0, { kind: 'none' });
  for (const mb of BIG_RESULT_MB) {
    add('big-result', `msPerMb${mb}`, `one ${mb} MiB tool result over stdio: time per MiB`, 'ms', 1, { kind: 'times', value: 1.5 });
  }
  add('big-result', 'linearity', `  same, time per MiB at ${BIG_RESULT_MB[1]} / at ${BIG_RESULT_MB[0]} MiB (1 = linear)`, '', 2, { kind: 'none' });
  add('many-calls', 'perCallMs1000', 'one reply of 1,000 calls (CLI, 16 at once): time per call beyond a 100-call reply', 'ms', 3, { kind: 'none' });
  add('many-calls', 'perCallMs10000', '  same, one reply of 10,000 calls', 'ms', 3, { kind: 'none' });
  add('many-calls', 'perCallRatio', '  per-call ratio, 10,000 / 1,000 calls (linear: about 1)', 'x', 2, { kind: 'none' });
  add('many-calls', 'maxRssMb10000', '  peak RSS of the CLI, 10,000 calls', 'MB', 1, { kind: 'none' });
  add('cold', 'requests', 'model requests per answer: 1 tool turn', '', 0, { kind: 'exact', value: 2 });
  add('turns', 'requests', `model requests per answer: ${N} tool turns`, '', 0, { kind: 'exact', value: N + 1 });
  add('parallel', 'requests', 'model requests per answer: 1 turn of 20 calls', '', 0, { kind: 'exact', value: 2 });
  add('cold', 'bytesPerTurn', 'request bytes per turn: 1 tool turn', 'B', 0, { kind: 'times', value: 1.05 });
  add('turns', 'bytesPerTurn', `request bytes per turn: ${N} tool turns`, 'B', 0, { kind: 'times', value: 1.05 });
  add('parallel', 'bytesPerTurn', 'request bytes per turn: 1 turn of 20 calls', 'B', 0, { kind: 'times', value: 1.05 });

  const table = renderTable(rows);
  const missed = rows.filter((r) => r.met === false);
  const seconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg();
  const loadText = `load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${loadAfter.map((l) => l.toFixed(1)).join('/')} after`;
  const notes = [
    `Switchboard: cold start and the "real CLI" rows run \`node dist/src/cli/main.js chat ...\` as a process; per-turn, parallel, 10 servers and the first RSS row run ${driver}.`,
    'floor: MCP SDK Client + StdioClientTransport and fetch with streaming SSE; the tool calls of a turn run concurrently (Promise.all).',
    "tiny-agents: @huggingface/tiny-agents 0.3.4's exported Agent (endpointUrl = the loopback mock), same servers, same system prompt.",
    `Each run of each contender is its own child process; ${options.warmup} warm-up + ${options.runs} measured runs, contenders interleaved; cells are median (min-max).`,
    `per turn = measured conversation (user message -> answer, after a 5-turn warm-up conversation in the same process) / ${N}; parallel "whole turn" = user message -> answer after one warm-up conversation in the process (the cold row is that first conversation); 10 servers = start of the first server -> every tool listed, in the process (module loading excluded).`,
    `bytes per turn = all request bytes the mock received for the conversation / (tool-calling turns + 1); requests counted at the mock.`,
    `big result = one tools/call of the hostile server's huge_line (one JSON line of N MiB), call -> parsed result, in a fresh process per size (big-result.ts); the floor there reads the pipe by hand (chunk list, one concat per line), since the SDK's own StdioClientTransport is quadratic in the line length.`,
  ];
  const leftoverText = leftovers.length === 0 ? 'none' : leftovers.map((l) => `${l.scenario}/${l.contender}: pid ${l.pid} ${l.cmd}${l.killed ? ' (killed)' : ''}`).join('; ');

  process.stdout.write(`\nSwitchboard overhead vs the protocol floor and tiny-agents (${options.quick ? 'QUICK, ' : ''}${options.runs} runs, ${cpus().length} cores, node ${process.version}, ${seconds.toFixed(0)} s, ${loadText})\n\n`);
  process.stdout.write(`${table}\n\n`);
  for (const note of notes) process.stdout.write(`- ${note}\n`);
  process.stdout.write(`- processes left behind by contenders: ${leftoverText}\n`);
  const warningList = [...warnings].map(([where, lines]) => ({ where, lines: [...lines] }));
  process.stdout.write(`- Node warnings on contenders' stderr: ${warningList.length === 0 ? 'none' : warningList.map((w) => `${w.where}: ${w.lines.join(' / ')}`).join('; ')}\n`);
  process.stdout.write(missed.length === 0 ? '\nEvery target met.\n' : `\nTargets missed by Switchboard: ${missed.map((r) => r.scenario.trim()).join('; ')}\n`);

  const report = {
    schema: 'switchboard-bench/1',
    date: new Date().toISOString(),
    ...gitInfo(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, memMb: Math.round(totalmem() / 2 ** 20), loadavgBefore: loadBefore, loadavgAfter: loadAfter, node: process.version, platform: process.platform },
    options: { quick: options.quick, runs: options.runs, warmup: options.warmup, turns: options.turns, only: [...options.only], cpuProf: options.cpuProf ?? null },
    switchboardDriver: { coldStart: 'CLI process', cliTurns: 'CLI process', other: driver },
    seconds,
    rows: rows.map((r) => ({ ...r, values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, v])) })),
    missed: missed.map((r) => r.id),
    leftovers,
    warnings: warningList,
    notes,
    samples: Object.fromEntries([...samples].map(([id, per]) => [id, Object.fromEntries(per)])),
  };
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nJSON: ${options.out}\n`);
  return leftovers.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
