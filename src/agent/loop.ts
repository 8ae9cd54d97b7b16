/**
 * The agent loop, as an async generator of `AgentEvent`s.
 *
 * One user message: send history + tools to the model; if the reply has tool calls,
 * append the assistant message (with its reasoning, for thinking models), run the
 * calls concurrently, append one tool message per call in call order, repeat; a reply
 * without tool calls is the answer. The history persists across `send()` calls.
 *
 * Guarantees:
 * - every tool call gets exactly one tool message, whatever happened to it;
 * - at most `maxSteps` model calls per user message, every call counted (retries of
 *   a failed HTTP request are not model calls; an empty reply re-asked is);
 * - the same failing call (same name, same arguments, error result) three times in a
 *   row ends the turn instead of burning the step budget;
 * - no printing and no process access: the caller renders the events;
 * - the history alternates correctly for chat templates that insist on it: a turn that
 *   ends without an assistant message (a host failure, an interrupt, an empty reply) is
 *   rolled back whole, its user message and any tool rounds included, so the next
 *   `send()` never puts two user messages in a row (the REPL user can simply resend).
 * Host failures (the model request failing after retries, an interrupt) are thrown.
 */
import { setMaxListeners } from 'node:events';
import { linkedController } from '../abort.js';
import { SwitchboardError } from '../errors.js';
import type { ChatMessage, ChatModel, FunctionTool, ModelReply, ToolCall, UserContentPart } from '../llm/model.js';
import type { AgentEvent } from './events.js';
import { EventQueue } from './event-queue.js';
import { TokenEstimator, trimHistory } from './history.js';

/** What the loop needs from the tool side (the `ToolHub` implements it). */
export interface ToolExecutor {
  readonly functionTools: readonly FunctionTool[];
  /** Owner of an exposed name, for events. */
  readonly routes: ReadonlyMap<string, { server: string; originalName: string }>;
  /**
   * Never throws: failures come back as an error outcome for the model. `onProgress`
   * receives the server's progress notifications for this call while it runs.
   */
  call(
    exposedName: string,
    rawArguments: string,
    signal?: AbortSignal,
    onProgress?: (progress: { progress: number; total?: number; message?: string }) => void,
  ): Promise<{ text: string; isError: boolean; server?: string; durationMs: number; images?: ReadonlyArray<{ mimeType?: string; data: string }> }>;
}

export interface AgentOptions {
  model: ChatModel;
  tools: ToolExecutor;
  system?: string;
  maxSteps: number;
  /** History budget in estimated tokens; unset means no trimming. */
  maxContextTokens?: number;
  /** Send tool-result images to the model in a user message after the step's tool messages. */
  images?: boolean;
}

const REPEATED_FAILURE_LIMIT = 3;

/**
 * Tokens used by the model calls of this agent so far. A call whose provider reported usage
 * adds its numbers; one that did not adds an estimate (about 4 characters a token) and
 * counts in `estimatedCalls`, so a display can mark the total as approximate.
 */
export interface UsageTotals {
  modelCalls: number;
  promptTokens: number;
  completionTokens: number;
  estimatedCalls: number;
}

export class Agent {
  readonly history: ChatMessage[] = [];
  private readonly estimator = new TokenEstimator();
  private readonly totals: UsageTotals = { modelCalls: 0, promptTokens: 0, completionTokens: 0, estimatedCalls: 0 };

  constructor(private readonly options: AgentOptions) {
    this.clear();
  }

  /** The model answering from the next request on (the REPL's `/model`); the history stays. */
  get model(): ChatModel {
    return this.options.model;
  }

  set model(model: ChatModel) {
    this.options.model = model;
  }

  /** A copy of the usage totals. */
  get usage(): UsageTotals {
    return { ...this.totals };
  }

  /**
   * Replaces the conversation with `history` (a resumed session), in place: `history` stays
   * the same array. A history without a system message gets the configured one first.
   */
  restore(history: readonly ChatMessage[]): void {
    this.history.length = 0;
    if (this.options.system && history[0]?.role !== 'system') this.history.push({ role: 'system', content: this.options.system });
    this.history.push(...history);
  }

  /** Forgets the conversation, keeping the system prompt. */
  clear(): void {
    this.history.length = 0;
    if (this.options.system) this.history.push({ role: 'system', content: this.options.system });
  }

  async *send(userText: string, signal?: AbortSignal): AsyncGenerator<AgentEvent, void, undefined> {
    const userMessage: ChatMessage = { role: 'user', content: userText };
    this.history.push(userMessage);
    let kept = false;
    try {
      kept = yield* this.runTurn(signal);
    } finally {
      // Also runs when the consumer stops iterating (an interrupted REPL turn).
      if (!kept) this.rollBack(userMessage);
    }
  }

  /** Removes `userMessage` and everything after it (trimming may have moved it, never removed it). */
  private rollBack(userMessage: ChatMessage): void {
    const index = this.history.lastIndexOf(userMessage);
    if (index >= 0) this.history.length = index;
  }

  /** The steps of one turn; returns whether the turn's messages stay in the history. */
  private async *runTurn(signal: AbortSignal | undefined): AsyncGenerator<AgentEvent, boolean, undefined> {
    const { tools, maxSteps } = this.options;
    let emptyRetried = false;
    let failureStreaks = new Map<string, number>();
    for (let step = 1; step <= maxSteps; step++) {
      throwIfAborted(signal);
      const functionTools = tools.functionTools;
      yield* this.keepUnderBudget(functionTools);
      yield { type: 'model_request', step, maxSteps };
      const messages = [...this.history];
      const reply = yield* this.requestModel(messages, functionTools, signal);
      if (reply.usage) this.estimator.calibrate(messages, functionTools, reply.usage.promptTokens);
      this.count(reply, messages, functionTools);

      if (reply.toolCalls.length === 0) {
        if (!reply.text.trim()) {
          if (!emptyRetried) {
            emptyRetried = true;
            yield { type: 'notice', message: 'The model sent an empty reply (no text, no tool calls); asking again.' };
            continue;
          }
          // Nothing answers the user message: it goes, like a failed turn.
          yield { type: 'stopped', reason: 'empty_reply', steps: step, message: 'The model sent an empty reply twice in a row; the turn ends without an answer. Try rephrasing, or another model.' };
          return false;
        }
        this.history.push({ role: 'assistant', content: reply.text, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}) });
        yield { type: 'final', text: reply.text, steps: step, ...(reply.finishReason === 'length' ? { truncated: true } : {}) };
        return true;
      }

      emptyRetried = false;
      this.history.push({ role: 'assistant', content: reply.text, toolCalls: reply.toolCalls, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}) });
      const results = yield* this.runToolCalls(reply.toolCalls, signal);
      for (const [i, call] of reply.toolCalls.entries()) {
        this.history.push({ role: 'tool', toolCallId: call.id, name: call.name, content: results[i]!.text });
      }
      if (this.options.images) {
        // Tool messages are text only; a model that takes images gets them in one user message after them.
        const parts: UserContentPart[] = reply.toolCalls.flatMap((call, i) => {
          const images = results[i]!.images ?? [];
          if (images.length === 0) return [];
          return [{ type: 'text' as const, text: `Image${images.length > 1 ? 's' : ''} returned by ${call.name} (call ${call.id}):` }, ...images.map((image) => ({ type: 'image_url' as const, image_url: { url: `data:${image.mimeType ?? 'image/png'};base64,${image.data}` } }))];
        });
        if (parts.length > 0) this.history.push({ role: 'user', content: parts });
      }
      throwIfAborted(signal);

      // Repeated identical failures: the model is stuck. Each distinct call keeps its own
      // streak across consecutive steps; a step where it succeeds or is not made ends it.
      const streaks = new Map<string, number>();
      for (const [i, call] of reply.toolCalls.entries()) {
        if (!results[i]!.isError) continue;
        const key = `${call.name}\u0000${canonicalArguments(call.arguments)}`;
        if (streaks.has(key)) continue; // the same call twice in one reply counts once
        const count = (failureStreaks.get(key) ?? 0) + 1;
        streaks.set(key, count);
        if (count >= REPEATED_FAILURE_LIMIT) {
          yield {
            type: 'stopped',
            reason: 'repeated_failure',
            steps: step,
            message: `The model called ${call.name} with the same arguments ${REPEATED_FAILURE_LIMIT} times in a row and it failed each time; the turn stops here. Last error: ${firstLine(results[i]!.text)}`,
          };
          return true; // ends on tool messages: a next user message may follow them
        }
      }
      failureStreaks = streaks;
    }
    yield {
      type: 'stopped',
      reason: 'max_steps',
      steps: maxSteps,
      message: `Stopped after ${maxSteps} model calls without a final answer (the maxSteps limit). Raise it with --max-steps or "maxSteps" in the config, or ask a narrower question.`,
    };
    // The last step re-asked an empty reply or ran tools: keep the history only if it ends
    // with the answer to a tool round (an empty reply leaves the user message unanswered).
    return this.history.at(-1)?.role === 'tool';
  }

  private count(reply: ModelReply, messages: readonly ChatMessage[], functionTools: readonly FunctionTool[]): void {
    this.totals.modelCalls++;
    if (reply.usage) {
      this.totals.promptTokens += reply.usage.promptTokens;
      this.totals.completionTokens += reply.usage.completionTokens;
      return;
    }
    this.totals.estimatedCalls++;
    this.totals.promptTokens += this.estimator.estimate(messages, functionTools);
    const said = reply.text.length + (reply.reasoning?.length ?? 0) + reply.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
    this.totals.completionTokens += Math.ceil(said / 4);
  }

  private async *keepUnderBudget(functionTools: readonly FunctionTool[]): AsyncGenerator<AgentEvent, void, undefined> {
    const budget = this.options.maxContextTokens;
    if (!budget) return;
    const result = trimHistory(this.history, functionTools, budget, this.estimator);
    if (result.dropped > 0) {
      yield { type: 'history_trimmed', droppedMessages: result.dropped, estimatedTokens: result.estimatedTokens, budgetTokens: budget };
    }
  }

  private async *requestModel(messages: ChatMessage[], functionTools: readonly FunctionTool[], signal?: AbortSignal): AsyncGenerator<AgentEvent, ModelReply, undefined> {
    let reply: ModelReply | undefined;
    for await (const event of this.options.model.stream({ messages, tools: functionTools, signal })) {
      switch (event.type) {
        case 'text_delta':
        case 'reasoning_delta':
          yield event;
          break;
        case 'retry':
          yield { type: 'model_retry', attempt: event.attempt, delayMs: event.delayMs, reason: event.reason };
          break;
        case 'reply':
          reply = event.reply;
          break;
      }
    }
    if (!reply) throw new SwitchboardError('MODEL_REQUEST', 'The model stream ended without a reply.');
    return reply;
  }

  /**
   * Runs the calls concurrently; yields each call, then progress and results as they come;
   * returns results in call order. Calls push into one queue that this generator drains,
   * so the work is linear in calls + events (no racing over every pending promise).
   */
  private async *runToolCalls(calls: readonly ToolCall[], signal?: AbortSignal): AsyncGenerator<AgentEvent, Array<{ text: string; isError: boolean; images?: ReadonlyArray<{ mimeType?: string; data: string }> }>, undefined> {
    const { tools } = this.options;
    for (const call of calls) {
      const route = tools.routes.get(call.name);
      yield { type: 'tool_call', id: call.id, name: call.name, ...(route ? { server: route.server, originalName: route.originalName } : {}), arguments: parsedOrRaw(call.arguments) };
    }
    // One signal for the batch: each call hangs an abort listener on it while it runs,
    // so it may carry more than Node's default of 10 (the warning would be noise).
    const batch = linkedController(signal);
    setMaxListeners(calls.length + 10, batch.signal);
    const queue = new EventQueue<AgentEvent>();
    const results: Array<{ text: string; isError: boolean; images?: ReadonlyArray<{ mimeType?: string; data: string }> }> = new Array(calls.length);
    let remaining = calls.length;
    for (const [index, call] of calls.entries()) {
      const server = tools.routes.get(call.name)?.server;
      const onProgress = (update: { progress: number; total?: number; message?: string }) => {
        // A notification that arrives after the result is stale: drop it.
        if (results[index]) return;
        queue.push({
          type: 'tool_progress',
          id: call.id,
          name: call.name,
          ...(server ? { server } : {}),
          progress: update.progress,
          ...(update.total !== undefined ? { total: update.total } : {}),
          ...(update.message !== undefined ? { message: update.message } : {}),
        });
      };
      // `call` never throws by contract; a rejection anyway (a bug) still ends the batch.
      void tools.call(call.name, call.arguments, batch.signal, onProgress).then(
        (outcome) => {
          results[index] = outcome;
          queue.push({ type: 'tool_result', id: call.id, name: call.name, ...(outcome.server ? { server: outcome.server } : {}), text: outcome.text, isError: outcome.isError, durationMs: outcome.durationMs });
          if (--remaining === 0) queue.end();
        },
        (error: unknown) => queue.fail(error),
      );
    }
    try {
      yield* queue.drain();
    } finally {
      // The consumer left early (an interrupted REPL turn): cancel the calls still running.
      if (remaining > 0) batch.abort(new Error('tool batch abandoned'));
      batch.dispose();
    }
    return results;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
}

function parsedOrRaw(raw: string): unknown {
  try {
    return raw.trim() ? JSON.parse(raw) : {};
  } catch {
    return raw;
  }
}

/** Same arguments, whatever the key order or spacing. */
function canonicalArguments(raw: string): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
    return value;
  };
  try {
    return JSON.stringify(sortKeys(JSON.parse(raw)));
  } catch {
    return raw.trim();
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
