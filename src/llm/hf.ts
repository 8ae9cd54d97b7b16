/**
 * The real model: `@huggingface/inference` chat completions with streaming.
 * This is the only file that imports that library, and it imports it lazily, so
 * commands that never talk to a model (`tools`, `call`) do not pay for loading it.
 *
 * Target: Hugging Face Inference Providers (model id + provider, token from HF_TOKEN),
 * or any OpenAI-compatible server via `endpointUrl` (llama.cpp, Ollama, vLLM), where
 * the token is optional.
 */
import { linkedController, sleep } from '../abort.js';
import { SwitchboardError } from '../errors.js';
import type { ChatMessage, ChatModel, ModelRequest, ModelStreamEvent, ToolCall } from './model.js';
import { boundLines, DEFAULT_MAX_REPLY_CHARS, DEFAULT_MAX_REPLY_SECONDS, maxLineBytes, ReplyLimitError, replyTooSlow } from './reply-limits.js';
import { backoffDelay, classifyFailure, IdleTimeoutError, parseRetryAfter, seconds, StreamCutError, type ClassifiedFailure } from './retry.js';
import { StreamAssembler, type StreamChunk } from './stream-assembler.js';

export interface HfModelOptions {
  model: string;
  /** Provider or policy (`auto`, `together`, ...). Never sent together with `endpointUrl`. */
  provider?: string;
  endpointUrl?: string;
  accessToken?: string;
  /** The environment variable the token comes from (or would, when it is unset): named in a refused-token message. */
  tokenVariable?: string;
  /** Retries after the first attempt. */
  retries: number;
  /** An attempt fails when the server sends nothing for this long (reset by every chunk). */
  timeoutMs: number;
  /** Back-off base; tests shorten it. */
  backoffBaseMs?: number;
  /**
   * Longest single wait before a retry (default 60 s). A server whose `Retry-After` asks
   * for more fails the request at once with its own message instead of a silent wait.
   */
  maxRetryWaitMs?: number;
  /** Characters one reply may carry, reasoning and tool calls included (default DEFAULT_MAX_REPLY_CHARS). */
  maxReplyChars?: number;
  /**
   * How long one attempt may take in total, however steadily it streams (default
   * DEFAULT_MAX_REPLY_SECONDS): `timeoutMs` is reset by every chunk, so a trickle needs this.
   */
  maxReplyTimeMs?: number;
}

export const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;

type ChatCompletionStream = (typeof import('@huggingface/inference'))['chatCompletionStream'];

/**
 * The library's chat-completion function, loaded from its own module: the package root also
 * loads the library's code-snippet generator (`@huggingface/tasks` and a Jinja engine, about
 * 110 modules and 5-6 MB of memory that a chat never uses, and half the library's load time).
 * The package exports only its root, so the module is found beside the root's resolved file;
 * should a future version move it (or a runtime not resolve it), the root is loaded as before.
 */
export async function loadChatCompletionStream(): Promise<ChatCompletionStream> {
  try {
    const root = import.meta.resolve('@huggingface/inference');
    const module = (await import(new URL('./tasks/nlp/chatCompletionStream.js', root).href)) as { chatCompletionStream?: unknown };
    if (typeof module.chatCompletionStream === 'function') return module.chatCompletionStream as ChatCompletionStream;
  } catch {
    // fall back to the root below
  }
  return (await import('@huggingface/inference')).chatCompletionStream;
}

export class HfChatModel implements ChatModel {
  readonly description: string;
  /**
   * Loading the library starts when the model is created, so it overlaps the MCP
   * servers' start-up instead of delaying the first request.
   */
  private readonly library: Promise<ChatCompletionStream>;

  constructor(private readonly options: HfModelOptions) {
    this.library = loadChatCompletionStream();
    this.library.catch(() => undefined); // reported by the first request that awaits it
    this.description = options.endpointUrl
      ? `${options.model} at ${options.endpointUrl}`
      : `${options.model} via Hugging Face Inference Providers (provider: ${options.provider ?? 'auto'})`;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    const chatCompletionStream = await this.library;
    const { retries, timeoutMs } = this.options;
    const maxReplyChars = this.options.maxReplyChars ?? DEFAULT_MAX_REPLY_CHARS;
    // The library's message types are narrower than what OpenAI-compatible servers accept
    // (`reasoning_content` on assistant messages); the wire shape is ours to decide.
    type StreamArgs = Parameters<typeof chatCompletionStream>[0];
    const args: StreamArgs = {
      model: this.options.model,
      messages: toWireMessages(request.messages) as StreamArgs['messages'],
      ...(request.tools.length > 0 ? { tools: request.tools as never } : {}),
      // Ask for the usage chunk (OpenAI's stream option), for the turn summary and `usage` events.
      stream_options: { include_usage: true },
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(this.options.accessToken ? { accessToken: this.options.accessToken } : {}),
      // 4.x throws "Specifying both endpointUrl and provider is not supported": send one or the other.
      ...(this.options.endpointUrl
        ? { endpointUrl: this.options.endpointUrl }
        : { provider: (this.options.provider ?? 'auto') as never }),
    };
    for (let attempt = 0; ; attempt++) {
      const scope = attemptScope(request.signal, timeoutMs, this.options.maxReplyTimeMs ?? DEFAULT_MAX_REPLY_SECONDS * 1000);
      let retryAfterMs: number | undefined;
      let url: string | undefined;
      let contentType: string | undefined;
      let streamStarted = false;
      // The library exposes neither the URL nor the response headers; a fetch wrapper records them.
      const recordingFetch: typeof fetch = async (input, init) => {
        url = input instanceof Request ? input.url : String(input);
        const response = await fetch(input, init);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        contentType = response.headers.get('content-type') ?? undefined;
        if (!response.body) return response;
        // A line that never ends would grow inside the library's parser, before the assembler sees it.
        return new Response(boundLines(response.body, maxLineBytes(maxReplyChars), maxReplyChars), { status: response.status, statusText: response.statusText, headers: response.headers });
      };
      let caught: unknown;
      try {
        const assembler = new StreamAssembler({ maxChars: maxReplyChars });
        const stream = chatCompletionStream(args, {
          signal: scope.signal,
          fetch: recordingFetch,
          // The library retries 503 by itself, at once and without limit; the host's bounded back-off is the only retry.
          retry_on_error: false,
        });
        for await (const chunk of stream) {
          scope.touch();
          streamStarted = true;
          const deltas = assembler.add(chunk as StreamChunk);
          if (deltas.reasoning) yield { type: 'reasoning_delta', text: deltas.reasoning };
          if (deltas.text) yield { type: 'text_delta', text: deltas.text };
        }
        if (!assembler.finished) throw new StreamCutError();
        yield { type: 'reply', reply: assembler.reply() };
        return;
      } catch (error) {
        // A timeout aborts the request; classify it as the timeout, not as an abort.
        caught = scope.timedOut ? scope.signal.reason : error;
        // A bound was crossed (size by the assembler, total time by the scope): stop reading now.
        if (caught instanceof ReplyLimitError) scope.cancel(caught);
      } finally {
        scope.dispose();
      }
      // Not retried (see reply-limits.ts): the same model would run on again.
      if (caught instanceof ReplyLimitError && !request.signal?.aborted) throw new SwitchboardError('MODEL_REQUEST', `The model request failed: ${caught.message}`);
      const failure = classifyFailure(caught, request.signal, { url, streamStarted, contentType });
      if (failure.kind === 'aborted') throw new SwitchboardError('INTERRUPTED', 'The model request was interrupted.');
      if (failure.kind === 'auth') throw new SwitchboardError('MODEL_AUTH', this.refusedTokenMessage(failure, caught));
      const requestFailed = (detail: string) => {
        const tries = attempt + 1;
        return new SwitchboardError('MODEL_REQUEST', `The model request failed${tries > 1 ? ` after ${tries} attempts` : ''}: ${failure.reason}${failure.status !== undefined ? describeDetail(caught, failure.reason) : ''}${detail}`, {
          cause: caught,
        });
      };
      if (failure.kind === 'fatal' || attempt >= retries) throw requestFailed('');
      const maxWaitMs = this.options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
      if (retryAfterMs !== undefined && retryAfterMs > maxWaitMs) {
        // Waiting minutes in silence looks like a hang; the server's own message says more.
        throw requestFailed(`. The server asked to wait ${seconds(retryAfterMs)} s before retrying (Retry-After), more than maxRetryWait (${seconds(maxWaitMs)} s): try again later, or raise "maxRetryWait" in the config.`);
      }
      const delayMs = backoffDelay(attempt + 1, retryAfterMs, { baseMs: this.options.backoffBaseMs ?? 500, maxMs: Math.min(30_000, maxWaitMs) });
      yield { type: 'retry', attempt: attempt + 1, delayMs, reason: failure.reason };
      await sleep(delayMs, request.signal).catch(() => {
        throw new SwitchboardError('INTERRUPTED', 'The model request was interrupted.');
      });
    }
  }

  /** 401/403: names the variable whose token was sent, or says that none was. */
  private refusedTokenMessage(failure: ClassifiedFailure, error: unknown): string {
    const said = describeDetail(error, failure.reason);
    const variable = this.options.tokenVariable;
    if (!this.options.accessToken) {
      const unset = variable ? ` (${variable} is not set)` : '';
      return `The model server refused the request (${failure.reason}${said}) and no token was sent${unset}. Set ${variable ?? 'SWITCHBOARD_API_KEY'} to the key your endpoint expects, or name the variable that holds it with --api-key-env NAME ("apiKeyEnv" in the config).`;
    }
    if (!variable) return `The model server refused the token (${failure.reason}${said}). Check the key your endpoint expects.`;
    const hint =
      variable === 'HF_TOKEN'
        ? 'create one at https://huggingface.co/settings/tokens with "Make calls to Inference Providers"'
        : this.options.endpointUrl
          ? `it must be a key ${this.options.endpointUrl} accepts`
          : 'it must be a Hugging Face token';
    return `The model server refused the token from ${variable} (${failure.reason}${said}). Check ${variable}: ${hint}.`;
  }
}

/**
 * The signal of one attempt: aborted by the caller's signal, when the model server
 * has sent nothing for `idleMs` (the timer restarts with every chunk, so a long but
 * live answer from a thinking model is never cut; a silent connection is), or when the
 * attempt has lasted `totalMs` in all (a trickle that keeps the idle timer alive).
 */
function attemptScope(callerSignal: AbortSignal | undefined, idleMs: number, totalMs: number) {
  const link = linkedController(callerSignal);
  let timedOut = false;
  const expire = () => {
    timedOut = true;
    link.abort(new IdleTimeoutError(idleMs));
  };
  const timer = setTimeout(expire, idleMs);
  const total = setTimeout(() => {
    timedOut = true;
    link.abort(replyTooSlow(totalMs));
  }, totalMs);
  return {
    signal: link.signal,
    get timedOut() {
      return timedOut;
    },
    /** Data arrived: restart the idle timer. */
    touch() {
      timer.refresh(); // restarts the same timer: no allocation per chunk
    },
    /** Stops the request (the reply crossed a bound). */
    cancel(reason: unknown) {
      link.abort(reason);
    },
    dispose() {
      clearTimeout(timer);
      clearTimeout(total);
      link.dispose();
    },
  };
}

/** For an HTTP error: the server's own message (the library's error message), when the reason does not already hold it. */
function describeDetail(error: unknown, reason: string): string {
  // The library prefixes the server's own message with this; the user wants the server's words.
  const message = error instanceof Error ? error.message.replace(/^Failed to perform inference: /, '') : '';
  return message && !reason.includes(message) ? ` (${message})` : '';
}

/**
 * Wire forms by message: history messages never change once appended, so each is
 * converted once, not on every request of a long conversation.
 */
const wireCache = new WeakMap<ChatMessage, Record<string, unknown>>();

/** Our history -> OpenAI chat-completions messages. */
export function toWireMessages(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((message) => {
    let wire = wireCache.get(message);
    if (!wire) {
      wire = toWireMessage(message);
      wireCache.set(message, wire);
    }
    return wire;
  });
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      // OpenAI's tool message has no `name`; the id ties it to its call.
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: message.toolCalls.map(toWireToolCall),
        // Kimi-K2-Thinking and other thinking models need their reasoning back with tool calls.
        ...(message.reasoning ? { reasoning_content: message.reasoning } : {}),
      };
  }
}

function toWireToolCall(call: ToolCall): Record<string, unknown> {
  // Providers reject a history whose tool-call arguments are not JSON; the tool message
  // already told the model what it wrote wrong, so the history carries `{}` instead.
  let args = call.arguments;
  try {
    JSON.parse(args);
  } catch {
    args = '{}';
  }
  return { id: call.id, type: 'function', function: { name: call.name, arguments: args } };
}
