/**
 * `switchboard chat [prompt]`
 * - with a prompt: one turn; progress on stderr, the answer on stdout;
 * - no prompt, stdin a terminal: the REPL;
 * - no prompt, stdin piped: stdin is the prompt.
 * A turn that ends without an answer (max steps, repeated failure) exits 1.
 */
import { Agent } from '../agent/loop.js';
import { untilAborted } from '../abort.js';
import { UserInputError } from '../errors.js';
import { JsonLinesRenderer } from '../ui/jsonl.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { runRepl } from './repl.js';
import { runTurn } from './run-turn.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export interface ChatFlags extends GlobalFlags {
  prompt?: string;
  json?: boolean;
}

export async function chatCommand(flags: ChatFlags, signal: AbortSignal): Promise<number> {
  const interactive = flags.prompt === undefined && Boolean(process.stdin.isTTY);
  if (interactive && flags.json) {
    throw new UserInputError('USAGE', '--json needs a prompt: the interactive chat has no JSON output. Give the prompt as an argument (switchboard chat --json "your question") or on stdin.');
  }
  const prompt = interactive ? undefined : (flags.prompt ?? (await untilAborted(readStdin(), signal)));
  if (prompt !== undefined && prompt.trim() === '') {
    throw new UserInputError('USAGE', 'The prompt is empty. Give one as an argument (switchboard chat "your question") or on stdin.');
  }
  return withSession(flags, { needsModel: true, announce: interactive || Boolean(flags.verbose), signal }, async ({ hub, model, settings }) => {
    const agent = new Agent({ model: model!, tools: hub, system: settings.system, maxSteps: settings.maxSteps, maxContextTokens: settings.maxContextTokens, images: settings.images });
    if (interactive) return runRepl(agent, hub, settings.verbose, signal);
    const sink = flags.json ? new JsonLinesRenderer(process.stdout) : new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose: settings.verbose });
    const outcome = await runTurn(agent, prompt!, sink, signal);
    return outcome === 'answered' ? 0 : 1;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
