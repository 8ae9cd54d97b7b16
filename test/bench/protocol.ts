/**
 * What the bench orchestrator (run.ts) and the contender scripts (contenders/*.ts) share:
 * the job a contender gets, the one JSON line it prints back, and the scripted
 * conversation the loopback model server plays.
 *
 * The conversation is keyed on the request's CONTENT, not on a request counter: the
 * last user message carries a directive (`BENCH {"turns":N,"calls":K,...}`), and the
 * reply depends only on how many tool-calling assistant messages follow it. So every
 * contender gets exactly the same conversation whatever its request pattern (extra
 * requests, several conversations in one process), and one mock serves them all.
 */
import type { RecordedRequest, ScriptedReply } from '../support/mock-llm.js';

/** A stdio MCP server, in the shape every contender understands. */
export interface BenchServer {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The scripted conversation: `turns` tool-calling turns of `calls` parallel calls each, then a text answer. */
export interface Directive {
  turns: number;
  calls: number;
  tool: string;
  args: Record<string, unknown>;
  /** Every tool message must carry exactly this text, else the answer says MISMATCH. */
  expect: string;
  /** Tells conversations apart at the mock (e.g. "warmup", "measured"). */
  tag?: string;
}

export type Job =
  | {
      kind: 'conversation';
      mockUrl: string;
      model: string;
      system: string;
      servers: BenchServer[];
      /** Switchboard only: the same servers as a config file. */
      configPath: string;
      /** Run this conversation first, untimed-as-measured (its time is reported as `warmupMs`). */
      warmup?: Directive;
      directive: Directive;
    }
  | {
      kind: 'list';
      servers: BenchServer[];
      configPath: string;
    };

/** The one JSON line a contender prints on stdout. */
export interface ContenderResult {
  ok: boolean;
  error?: string;
  /** The final answer text. */
  answer?: string;
  /** Servers started and tools listed (conversation jobs: before the first conversation). */
  setupMs?: number;
  /** The warm-up conversation: user message -> final answer. */
  warmupMs?: number;
  /** The measured conversation: user message -> final answer. */
  conversationMs?: number;
  /** CPU time (user + system) the contender process used during the measured conversation. */
  conversationCpuMs?: number;
  /** list jobs: start of the first server -> every tool listed. */
  listMs?: number;
  toolCount?: number;
  /** process.resourceUsage().maxRSS at the end of the measured work, in KiB. */
  maxRssKb: number;
  /** How Switchboard was driven, for the report. */
  driver?: string;
}

export const DIRECTIVE_PREFIX = 'BENCH ';
export const ANSWER_PREFIX = 'BENCH-DONE';
export const SYSTEM_PROMPT = 'You are a benchmark agent. Call the tools you are told to call, then answer.';
export const MODEL_NAME = 'bench-model';

export function directivePrompt(directive: Directive): string {
  return `${DIRECTIVE_PREFIX}${JSON.stringify(directive)}`;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

/**
 * The mock's script: N tool-calling turns, then the answer. The answer says BENCH-DONE
 * only when every tool message of the conversation carried the expected text, so a
 * contender that skips or garbles calls is caught.
 */
export function benchScript(request: RecordedRequest): ScriptedReply {
  const messages: any[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const prompt = lastUser >= 0 ? textOf(messages[lastUser].content) : '';
  if (!prompt.startsWith(DIRECTIVE_PREFIX)) return { text: 'BENCH-MISMATCH: no directive in the last user message' };
  const directive = JSON.parse(prompt.slice(DIRECTIVE_PREFIX.length)) as Directive;
  let turnsDone = 0;
  let toolMessages = 0;
  let wrong = 0;
  for (let i = lastUser + 1; i < messages.length; i++) {
    const message = messages[i];
    if (message?.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) turnsDone++;
    if (message?.role === 'tool') {
      toolMessages++;
      if (textOf(message.content) !== directive.expect) wrong++;
    }
  }
  if (turnsDone < directive.turns) {
    return {
      toolCalls: Array.from({ length: directive.calls }, (_, j) => ({ id: `call_${turnsDone}_${j}`, name: directive.tool, arguments: directive.args })),
    };
  }
  const expected = directive.turns * directive.calls;
  if (toolMessages !== expected || wrong > 0) {
    return { text: `BENCH-MISMATCH: ${toolMessages} tool messages (expected ${expected}), ${wrong} with unexpected content` };
  }
  return { text: `${ANSWER_PREFIX} after ${turnsDone} tool turns` };
}

/** Contender side: the job from argv[2] (JSON). */
export function readJob(): Job {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: contender JOB_JSON');
  return JSON.parse(raw) as Job;
}

/** Contender side: CPU time used since `since` (a process.cpuUsage() result), in ms. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** Contender side: the answer on stdout as soon as it is known (as the CLI prints it), before shutting down. */
export function printAnswer(answer: string): void {
  process.stdout.write(`${answer.replace(/\n/g, ' ')}\n`);
}

/** Contender side: prints the result line, then exits (as a CLI would once its work is done). */
export function finish(result: Omit<ContenderResult, 'maxRssKb'> & { maxRssKb?: number }): never {
  const line = JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ...result });
  process.stdout.write(`${line}\n`);
  process.exit(result.ok ? 0 : 1);
}
