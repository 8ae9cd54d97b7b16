/**
 * Who reads an answer line when a server's request (sampling approval, elicitation) asks the
 * user: by default a readline on stdin for the one question; the interactive chat installs
 * its own (`useLineAsker`), which takes the line from its message reader, so the two never
 * read the terminal at once. The caller may also give a `hold`, which stops the terminal's
 * activity line for the whole question (the request comes while a tool call runs, whose
 * spinner would otherwise draw over it). One question at a time: a second request (parallel
 * tool calls) waits for the first to be answered.
 *
 * Kept apart from the questions themselves (server-requests-prompt.ts), which are loaded only
 * when a server asks: every chat installs its asker here.
 */
import { createInterface } from 'node:readline/promises';
import { SwitchboardError } from '../errors.js';

/** Reads one answer line after showing `prompt`; undefined when input ended or `signal` aborted. */
export type LineAsker = (prompt: string, signal: AbortSignal) => Promise<string | undefined>;

/** Takes the terminal for one question; returns the function that gives it back. */
export type TerminalHold = () => () => void;

let asker: LineAsker = readlineAsker;
let hold: TerminalHold | undefined;
/** The question being asked, if any: the next one waits for it. */
let current: Promise<unknown> = Promise.resolve();

/**
 * Installs the chat's asker (undefined: a readline on stdin) and its hold; returns a function
 * that restores the previous ones.
 */
export function useLineAsker(next: LineAsker | undefined, nextHold?: TerminalHold): () => void {
  const previous = { asker, hold };
  asker = next ?? readlineAsker;
  hold = nextHold;
  return () => ({ asker, hold } = previous);
}

/** Runs one whole question (its text and its answers) alone on a held terminal. */
export function oneQuestion<T>(ask: () => Promise<T>): Promise<T> {
  const run = current.then(async () => {
    const release = hold?.();
    try {
      return await ask();
    } finally {
      release?.();
    }
  });
  current = run.catch(() => undefined);
  return run;
}

/**
 * One question on a free stdin, answered at the terminal: the line, or undefined when the input
 * ended (Ctrl+D). Ctrl+C at the question (raw mode: it reaches readline, not the process) or an
 * abort of `signal` rejects with INTERRUPTED. The one-shot chat's approval question uses it as
 * it is; a server's question (below) takes an interruption as no answer.
 */
export async function questionOnStdin(prompt: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  // Aborted before the question (its module was still loading): its listener would never fire.
  if (signal?.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const cancel = new AbortController();
  const onAbort = () => cancel.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  rl.on('SIGINT', () => cancel.abort());
  let ended = false;
  rl.on('close', () => (ended = true));
  try {
    return await rl.question(prompt, { signal: cancel.signal });
  } catch (error) {
    if (cancel.signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    if (ended) return undefined;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    rl.close();
  }
}

function readlineAsker(prompt: string, signal: AbortSignal): Promise<string | undefined> {
  return questionOnStdin(prompt, signal).catch(() => undefined);
}

/** Reads one line through the installed asker. */
export function askLine(prompt: string, signal: AbortSignal): Promise<string | undefined> {
  return asker(prompt, signal);
}

/** Takes the terminal (when a hold is installed); returns the function that gives it back. */
export function holdTerminal(): (() => void) | undefined {
  return hold?.();
}
