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
 * - at most `maxToolCallsPerReply` calls of one reply run (the rest are answered with an
 *   error naming the limit, and one notice), at most `maxParallelToolCalls` at once; work is
 *   linear in the number of calls;
 * - a tool_call event's `arguments` is never a value too deep to render (too deep: the raw text);
 * - at most `maxSteps` model calls per user message, every call counted (retries of
 *   a failed HTTP request are not model calls; an empty reply re-asked is);
 * - the model never acts on a stale tool: a request out while the tools change (servers
 *   starting behind cached listings, see ToolExecutor.watchTools) is cancelled and sent
 *   again with the fresh tools (`model_resend`, not counted in maxSteps); tool calls for
 *   servers still starting wait for them (`tool_wait`), and a reply whose tools changed
 *   during that wait is set aside and the request sent again;
 * - the same failing call (same name, same arguments, error result) three times in a
 *   row ends the turn instead of burning the step budget;
 * - no printing and no process access: the caller renders the events;
 * - the history alternates correctly for chat templates that insist on it: a turn that
 *   fails (a host failure, an interrupt, an empty reply) is rolled back whole, its user
 *   message and any tool rounds included (the REPL says so: the user can simply resend); a
 *   turn the loop stops (max steps, a repeated failure) keeps its tool rounds, closed by an
 *   assistant note saying it was stopped and why (`unansweredNote`, the same note `--resume`
 *   puts after an unanswered turn), so the next `send()` follows an assistant message, never
 *   a tool message or an image-carrying user message.
 * Host failures (the model request failing after retries, an interrupt) are thrown.
 */
import { setMaxListeners } from 'node:events';
import { linkedController, untilAborted } from '../abort.js';
import { SwitchboardError } from '../errors.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../mcp/json-depth.js';
import type { ChatMessage, ChatModel, FunctionTool, ModelReply, ToolCall, UserContentPart } from '../llm/model.js';
import type { AgentEvent, ApprovalSource } from './events.js';
import { EventQueue } from './event-queue.js';
import { DEFAULT_MAX_PARALLEL_TOOL_CALLS, DEFAULT_MAX_TOOL_CALLS_PER_REPLY } from './limits.js';
import { TokenEstimator, trimHistory } from './history.js';
import { unansweredNote } from './unanswered.js';

/** What the loop needs from the tool side (the `ToolHub` implements it). */
export interface ToolExecutor {
  readonly functionTools: readonly FunctionTool[];
  /** Owner of an exposed name, for events. */
  readonly routes: ReadonlyMap<string, { server: string; originalName: string; definition?: { annotations?: Record<string, unknown> } }>;
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
  /**
   * Optional, for tools that may change while a request is out (servers starting behind
   * cached listings): `listener` runs whenever `functionTools` may have changed; returns
   * the unsubscribe function.
   */
  watchTools?(listener: () => void): () => void;
  /** The servers owning these exposed names that are still starting (their calls would wait). */
  startingServers?(exposedNames: readonly string[]): string[];
  /** Resolves once these servers finished starting, however it went. */
  serversSettled?(servers: readonly string[]): Promise<void>;
}

/** What an approver sees of a call: the model's call and, when the name is routed, its owner. */
export interface CallUnderReview {
  call: ToolCall;
  route?: { server: string; originalName: string; definition?: { annotations?: Record<string, unknown> } };
}

/** The approver's verdict on one call. `message` is what the model reads when it is denied. */
export interface ApprovalVerdict {
  decision: 'allow' | 'deny';
  by: ApprovalSource;
  why: string;
  reason?: string;
  message?: string;
}

/**
 * The hook that reviews a reply's calls before any of them runs (the CLI implements it with
 * the user's policy and, in a terminal, a question). Calls are reviewed one after another,
 * in call order. `check` is the policy alone (no I/O); when it says `ask`, the loop emits
 * `approval_requested` and awaits `ask`, which may prompt; `ask` rejects when the turn is
 * cancelled at the question (e.g. Ctrl+C), which ends the turn like an interrupt.
 */
export interface CallApprover {
  check(review: CallUnderReview): ApprovalVerdict | { decision: 'ask'; why: string };
  ask(review: CallUnderReview, signal: AbortSignal | undefined): Promise<ApprovalVerdict>;
}

export interface AgentOptions {
  model: ChatModel;
  tools: ToolExecutor;
  /** Reviews each call before it runs; without one every call runs (library use, tests). */
  approver?: CallApprover;
  system?: string;
  maxSteps: number;
  /** History budget in estimated tokens; unset means no trimming. */
  maxContextTokens?: number;
  /** Send tool-result images to the model in a user message after the step's tool messages. */
  images?: boolean;
  /** Calls of one reply that run; the rest get an error tool message (default DEFAULT_MAX_TOOL_CALLS_PER_REPLY). */
  maxToolCallsPerReply?: number;
  /** Calls running at once; the others wait their turn, in call order (default DEFAULT_MAX_PARALLEL_TOOL_CALLS). */
  maxParallelToolCalls?: number;
}

export { DEFAULT_MAX_PARALLEL_TOOL_CALLS, DEFAULT_MAX_TOOL_CALLS_PER_REPLY };

const REPEATED_FAILURE_LIMIT = 3;
/** What `requestModel` returns when the tools changed under the request. */
const STALE = Symbol('stale tools');

type CallResult = { text: string; isError: boolean; images?: ReadonlyArray<{ mimeType?: string; data: string }>; skipped?: boolean };

/**
 * Tokens used by the model calls of this agent so far. A call whose provider reported usage
 * adds its numbers; one that did not adds an estimate (about 4 characters a token) and
 * counts in `estimatedCalls`, so a display can mark the total as approximate. Calls made for
 * servers' sampling requests (see `addSamplingUsage`) are in `modelCalls` and the tokens, and
 * also counted in `samplingCalls`.
 */
export interface UsageTotals {
  modelCalls: number;
  promptTokens: number;
  completionTokens: number;
  estimatedCalls: number;
  samplingCalls: number;
}

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

export class Agent {
  readonly history: ChatMessage[] = [];
  /**
   * Whether the latest `send()` left its messages in the history: false after a turn rolled
   * back (a host failure, an interrupt, an empty reply), so a chat can tell the user the
   * message was not kept. True before any turn.
   */
  lastTurnKept = true;
  private readonly estimator = new TokenEstimator();
  private readonly totals: UsageTotals = { modelCalls: 0, promptTokens: 0, completionTokens: 0, estimatedCalls: 0, samplingCalls: 0 };
  /** The running turn's tally, while a turn runs (sampling usage arriving then counts in it). */
  private tally: TurnTally | undefined;

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
   * Counts a model call made for a server's sampling request (served by the host while one of
   * this agent's tool calls waits, or between turns) in the totals and, while a turn runs, in
   * that turn's `usage` event. The caller decides which agent a request belongs to; the loop
   * knows nothing of where it came from.
   */
  addSamplingUsage(usage: TokenCounts, estimated = false): void {
    this.count(usage, estimated);
    this.totals.samplingCalls++;
    this.tally?.sampling(usage, estimated);
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
      this.tally = undefined;
      this.lastTurnKept = kept;
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
    const tally = new TurnTally();
    this.tally = tally;
    let emptyRetried = false;
    let resent = 0;
    let failureStreaks = new Map<string, number>();
    for (let step = 1; step <= maxSteps; step++) {
      throwIfAborted(signal);
      let functionTools = tools.functionTools;
      yield* this.keepUnderBudget(functionTools);
      yield { type: 'model_request', step, maxSteps };
      let messages = [...this.history];
      let reply: ModelReply | typeof STALE;
      // Sent again (not a new step) while the tools changed under it; see model_resend.
      for (;;) {
        reply = yield* this.requestModel(messages, functionTools, signal);
        if (reply !== STALE) {
          const starting = reply.toolCalls.length > 0 ? (tools.startingServers?.(reply.toolCalls.map((call) => call.name)) ?? []) : [];
          if (starting.length === 0) break;
          yield { type: 'tool_wait', servers: starting };
          await untilAborted(tools.serversSettled?.(starting) ?? Promise.resolve(), signal);
          if (sameTools(functionTools, tools.functionTools)) break;
        }
        resent++;
        yield { type: 'model_resend', step, resent, reason: 'the tools changed since the request was sent (a server came up with a listing other than the cached one)' };
        functionTools = tools.functionTools;
        messages = [...this.history];
      }
      if (reply.usage) this.estimator.calibrate(messages, functionTools, reply.usage.promptTokens);
      const counted = reply.usage ?? this.estimateUsage(messages, functionTools, reply);
      this.count(counted, !reply.usage);
      yield tally.call(step, counted, !reply.usage);

      if (reply.toolCalls.length === 0) {
        if (!reply.text.trim()) {
          if (!emptyRetried) {
            emptyRetried = true;
            yield { type: 'notice', message: 'The model sent an empty reply (no text, no tool calls); asking again.' };
            continue;
          }
          // Nothing answers the user message: it goes, like a failed turn.
          yield tally.turn();
          yield { type: 'stopped', reason: 'empty_reply', steps: step, message: 'The model sent an empty reply twice in a row; the turn ends without an answer. Try rephrasing, or another model.' };
          return false;
        }
        this.history.push({ role: 'assistant', content: reply.text, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}) });
        yield tally.turn();
        yield { type: 'final', text: reply.text, steps: step, ...(reply.finishReason === 'length' ? { truncated: true } : {}) };
        return true;
      }

      emptyRetried = false;
      this.history.push({ role: 'assistant', content: reply.text, toolCalls: reply.toolCalls, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}) });
      tally.toolCalls += reply.toolCalls.length;
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
        if (!results[i]!.isError || results[i]!.skipped) continue;
        const key = `${call.name}\u0000${canonicalArguments(call.arguments)}`;
        if (streaks.has(key)) continue; // the same call twice in one reply counts once
        const count = (failureStreaks.get(key) ?? 0) + 1;
        streaks.set(key, count);
        if (count >= REPEATED_FAILURE_LIMIT) {
          // The error itself is in the tool messages just before: server text never goes into
          // an assistant message, which a model trusts more than a tool result.
          this.history.push(unansweredNote(`the host stopped this turn because ${call.name} failed ${REPEATED_FAILURE_LIMIT} times in a row with the same arguments (its last error is the tool message above)`));
          yield tally.turn();
          yield {
            type: 'stopped',
            reason: 'repeated_failure',
            steps: step,
            message: `The model called ${call.name} with the same arguments ${REPEATED_FAILURE_LIMIT} times in a row and it failed each time; the turn stops here. Last error: ${firstLine(results[i]!.text)}`,
          };
          return true;
        }
      }
      failureStreaks = streaks;
    }
    this.history.push(unansweredNote(`the host stopped this turn after ${maxSteps} model calls without a final answer (the step limit)`));
    yield tally.turn();
    yield {
      type: 'stopped',
      reason: 'max_steps',
      steps: maxSteps,
      message: `Stopped after ${maxSteps} model calls without a final answer (the maxSteps limit). Raise it with --max-steps or "maxSteps" in the config, or ask a narrower question.`,
    };
    return true;
  }

  /** Usage of a reply whose provider reported none: estimated from the sizes of what went and came back. */
  private estimateUsage(messages: readonly ChatMessage[], functionTools: readonly FunctionTool[], reply: ModelReply): { promptTokens: number; completionTokens: number } {
    const answer: ChatMessage = { role: 'assistant', content: reply.text, toolCalls: reply.toolCalls, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}) };
    return { promptTokens: this.estimator.estimate(messages, functionTools), completionTokens: this.estimator.estimate([answer]) };
  }

  /** Adds one model call's usage to the session's totals (`/usage`). */
  private count(usage: TokenCounts, estimated: boolean): void {
    this.totals.modelCalls++;
    if (estimated) this.totals.estimatedCalls++;
    this.totals.promptTokens += usage.promptTokens;
    this.totals.completionTokens += usage.completionTokens;
  }

  private async *keepUnderBudget(functionTools: readonly FunctionTool[]): AsyncGenerator<AgentEvent, void, undefined> {
    const budget = this.options.maxContextTokens;
    if (!budget) return;
    const result = trimHistory(this.history, functionTools, budget, this.estimator);
    if (result.dropped > 0) {
      yield { type: 'history_trimmed', droppedMessages: result.dropped, estimatedTokens: result.estimatedTokens, budgetTokens: budget };
    }
  }

  /**
   * One model request. When the tools change while it is out (`watchTools`), it is
   * cancelled and STALE returned: the caller sends it again with the fresh tools.
   */
  private async *requestModel(messages: ChatMessage[], functionTools: readonly FunctionTool[], signal?: AbortSignal): AsyncGenerator<AgentEvent, ModelReply | typeof STALE, undefined> {
    const { tools } = this.options;
    const request = linkedController(signal);
    let stale = false;
    const unwatch = tools.watchTools?.(() => {
      if (stale || sameTools(functionTools, tools.functionTools)) return;
      stale = true;
      request.abort(new Error('the tools changed'));
    });
    let reply: ModelReply | undefined;
    try {
      for await (const event of this.options.model.stream({ messages, tools: functionTools, signal: request.signal })) {
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
        if (stale) break;
      }
    } catch (error) {
      if (stale && !signal?.aborted) return STALE;
      throw error;
    } finally {
      unwatch?.();
      request.dispose();
    }
    if (stale && !signal?.aborted) return STALE;
    if (!reply) throw new SwitchboardError('MODEL_REQUEST', 'The model stream ended without a reply.');
    return reply;
  }

  /**
   * Asks the approver about each call, in call order (one question at a time), emitting
   * `approval_requested` / `approval`; returns the denied calls' indexes with what the model
   * reads for each. Nothing runs before every call of the reply has been decided.
   */
  private async *reviewCalls(calls: readonly ToolCall[], signal?: AbortSignal): AsyncGenerator<AgentEvent, Map<number, string>, undefined> {
    const denied = new Map<number, string>();
    const approver = this.options.approver;
    if (!approver) return denied;
    for (const [index, call] of calls.entries()) {
      const route = this.options.tools.routes.get(call.name);
      const review: CallUnderReview = { call, ...(route ? { route } : {}) };
      const owner = route ? { server: route.server } : {};
      const checked = approver.check(review);
      let verdict: ApprovalVerdict;
      if (checked.decision === 'ask') {
        const annotations = route?.definition?.annotations;
        yield {
          type: 'approval_requested',
          id: call.id,
          name: call.name,
          ...(route ? { server: route.server, originalName: route.originalName } : {}),
          arguments: parsedOrRaw(call.arguments),
          ...(annotations ? { annotations } : {}),
          why: checked.why,
        };
        verdict = await approver.ask(review, signal);
        throwIfAborted(signal);
      } else {
        verdict = checked;
      }
      yield { type: 'approval', id: call.id, name: call.name, ...owner, decision: verdict.decision, by: verdict.by, why: verdict.why, ...(verdict.reason ? { reason: verdict.reason } : {}) };
      if (verdict.decision === 'deny') denied.set(index, verdict.message ?? declinedMessage(call.name, verdict));
    }
    return denied;
  }

  /**
   * Runs the calls, at most `maxParallelToolCalls` at once (the next starts when one ends);
   * yields each call, then progress and results as they come; returns results in call order.
   * Calls push into one queue that this generator drains, so the work is linear in calls +
   * events (no racing over every pending promise). Calls past `maxToolCallsPerReply` do not
   * run: they are answered with an error naming the limit, announced by one notice (not one
   * event each: a reply of 10,000 calls must not flood the terminal).
   */
  private async *runToolCalls(calls: readonly ToolCall[], signal?: AbortSignal): AsyncGenerator<AgentEvent, CallResult[], undefined> {
    const { tools } = this.options;
    const maxCalls = this.options.maxToolCallsPerReply ?? DEFAULT_MAX_TOOL_CALLS_PER_REPLY;
    const parallel = Math.max(1, this.options.maxParallelToolCalls ?? DEFAULT_MAX_PARALLEL_TOOL_CALLS);
    const results: CallResult[] = new Array(calls.length);
    const running = calls.slice(0, maxCalls);
    if (calls.length > maxCalls) {
      const skipped = calls.length - maxCalls;
      const text = `Error: not run. This reply asked for ${calls.length} tool calls; at most ${maxCalls} run per reply (the maxToolCallsPerReply limit), so the first ${maxCalls} ran and this one and the ${skipped - 1} others after it did not. Make at most ${maxCalls} calls at once, and ask again for the rest if you still need them.`;
      for (let index = maxCalls; index < calls.length; index++) results[index] = { text, isError: true, skipped: true };
      yield { type: 'notice', message: `The model asked for ${calls.length} tool calls in one reply; the first ${maxCalls} run (maxToolCallsPerReply), the other ${skipped} are answered with an error telling the model the limit.` };
    }
    for (const call of running) {
      const route = tools.routes.get(call.name);
      yield { type: 'tool_call', id: call.id, name: call.name, ...(route ? { server: route.server, originalName: route.originalName } : {}), arguments: parsedOrRaw(call.arguments) };
    }
    if (running.length === 0) return results;
    // Every call that would run is decided first, in call order; a denied call is answered at once.
    const denied = yield* this.reviewCalls(running, signal);
    // One signal for the batch: each running call hangs an abort listener on it, so it may
    // carry more than Node's default of 10 (the warning would be noise).
    const batch = linkedController(signal);
    setMaxListeners(parallel + 10, batch.signal);
    const queue = new EventQueue<AgentEvent>();
    let remaining = running.length;
    const finish = (): void => {
      if (--remaining === 0) queue.end();
    };
    for (const [index, refusal] of denied) {
      const call = running[index]!;
      const server = tools.routes.get(call.name)?.server;
      // Not run: the model reads why, in this call's own tool message.
      results[index] = { text: refusal, isError: true };
      queue.push({ type: 'tool_result', id: call.id, name: call.name, ...(server ? { server } : {}), text: refusal, isError: true, durationMs: 0 });
      finish();
    }
    const allowed = [...running.keys()].filter((index) => !denied.has(index));
    let next = 0;
    const start = (index: number): void => {
      const call = running[index]!;
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
          finish();
          startNext();
        },
        (error: unknown) => queue.fail(error),
      );
    };
    // One call ended: start the next waiting one. After an interrupt, the calls that have not
    // started are answered at once without starting them.
    const startNext = (): void => {
      if (next >= allowed.length) return;
      if (!batch.signal.aborted) return start(allowed[next++]!);
      while (next < allowed.length) {
        const index = allowed[next++]!;
        const call = running[index]!;
        const outcome = { text: `Error: the call to ${call.name} was not started: the turn was interrupted.`, isError: true };
        results[index] = outcome;
        queue.push({ type: 'tool_result', id: call.id, name: call.name, text: outcome.text, isError: true, durationMs: 0 });
        finish();
      }
    };
    while (next < Math.min(parallel, allowed.length)) start(allowed[next++]!);
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

/** What the model reads for a denied call when the approver gives no message of its own. */
function declinedMessage(name: string, verdict: ApprovalVerdict): string {
  const reason = verdict.reason ? ` The user's reason: ${verdict.reason}` : '';
  return `The user declined this call to ${name}; it was not run.${reason}`;
}

/** Same tools as the model would see them (the serialised request part). */
function sameTools(a: readonly FunctionTool[], b: readonly FunctionTool[]): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
}

/**
 * The arguments as the tool_call event carries them: parsed when they parse, else the raw
 * text; also the raw text when they nest deeper than MAX_JSON_DEPTH, so no consumer of the
 * event (a renderer, JSON.stringify) recurses into a value deep enough to overflow the stack.
 */
function parsedOrRaw(raw: string): unknown {
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) return raw;
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
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) return raw.trim(); // sortKeys recurses
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

type UsageEvent = Extract<AgentEvent, { type: 'usage' }>;

/** What one turn used so far: model calls, tool calls, tokens, since when. */
class TurnTally {
  private readonly startedAt = performance.now();
  private modelCalls = 0;
  toolCalls = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private estimated = false;
  private samplingCalls = 0;

  /** Counts a model call made for a server's sampling request (it has no `usage` event of its own). */
  sampling(usage: TokenCounts, estimated: boolean): void {
    this.modelCalls++;
    this.samplingCalls++;
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
    this.estimated ||= estimated;
  }

  /** Counts one model call and returns its `usage` event. */
  call(step: number, usage: { promptTokens: number; completionTokens: number }, estimated: boolean): UsageEvent {
    this.modelCalls++;
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
    this.estimated ||= estimated;
    return { type: 'usage', scope: 'call', step, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, estimated };
  }

  /** The turn's totals, as its last `usage` event. */
  turn(): UsageEvent {
    const { modelCalls, toolCalls, promptTokens, completionTokens, estimated, samplingCalls } = this;
    return {
      type: 'usage',
      scope: 'turn',
      modelCalls,
      toolCalls,
      promptTokens,
      completionTokens,
      estimated,
      durationMs: Math.round(performance.now() - this.startedAt),
      ...(samplingCalls > 0 ? { samplingCalls } : {}),
    };
  }
}
