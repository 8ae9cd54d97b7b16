/**
 * Bounds on one model reply, against a model (or a server posing as one) that never stops:
 * an endless stream, a trickle that keeps resetting the idle timeout, a reply with more
 * tool calls than anything could run.
 *
 * Hitting a bound is NOT retried: a model that loops forever does it again on the next
 * attempt, and each attempt costs the user time and tokens. The turn fails with a
 * `ReplyLimitError` whose message names the setting to raise.
 */

/** Characters of one reply: text + reasoning + tool-call ids, names and arguments (~250k tokens, past any provider's output limit). */
export const DEFAULT_MAX_REPLY_CHARS = 1_000_000;

/** Seconds one reply may take from request to its last chunk (15 min), however steadily it streams. */
export const DEFAULT_MAX_REPLY_SECONDS = 900;

/**
 * Tool calls (distinct stream indices) one reply may carry before it is refused as a whole.
 * Far above what the loop runs (maxToolCallsPerReply): calls past that are still answered
 * one by one; this only keeps a stream of millions of tiny call deltas from growing without end.
 */
export const MAX_STREAMED_TOOL_CALLS = 16_384;

export type ReplyLimit = 'size' | 'time' | 'tool_calls';

/** A reply crossed one of the bounds above; the message says which and how to raise it. */
export class ReplyLimitError extends Error {
  constructor(
    readonly limit: ReplyLimit,
    message: string,
  ) {
    super(message);
    this.name = 'ReplyLimitError';
  }
}

export function replyTooLarge(maxChars: number): ReplyLimitError {
  return new ReplyLimitError(
    'size',
    `the model's reply passed ${maxChars.toLocaleString('en-US')} characters (text, reasoning and tool calls together; the "maxReplyChars" limit) and was stopped; not retried, since a model that runs on will do it again. Ask for a shorter answer, or raise "maxReplyChars" in the config.`,
  );
}

export function replyTooSlow(maxMs: number): ReplyLimitError {
  return new ReplyLimitError(
    'time',
    `the model's reply was still streaming after ${maxMs / 1000} s in total (the "maxReplyTime" limit) and was stopped; not retried. A model that keeps trickling data is never cut by --model-timeout (the idle bound); raise "maxReplyTime" in the config for answers that legitimately take longer.`,
  );
}

export function tooManyStreamedCalls(maxCalls: number): ReplyLimitError {
  return new ReplyLimitError('tool_calls', `the model's reply carried more than ${maxCalls.toLocaleString('en-US')} tool calls and was stopped; not retried. Ask the model to make fewer calls at once.`);
}

/**
 * The longest line of the raw event stream, in bytes, for a reply bound of `maxChars`: one
 * `data:` line carries one chunk, and a chunk cannot hold more of the reply than the whole
 * reply may (6 bytes per character covers JSON's `\uXXXX` escapes), plus its envelope.
 */
export function maxLineBytes(maxChars: number): number {
  return maxChars * 6 + 65_536;
}

/**
 * Passes a response body through unchanged, failing it with a size `ReplyLimitError` when a
 * line (bytes between newlines) grows past `maxBytes`: the stream parser buffers a line until
 * its newline, so a line that never ends would otherwise grow in memory before any chunk of it
 * reaches the assembler. Scans each piece once (linear).
 *
 * A pull source over the body's reader rather than `pipeThrough(new TransformStream(...))`:
 * the same pieces, errors and cancellation, without the pipe machinery's extra promises per
 * piece and per request (this runs on every model request of a turn).
 */
export function boundLines(body: ReadableStream<Uint8Array>, maxBytes: number, maxChars: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let open = 0; // bytes since the last newline
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value: piece } = await reader.read();
        if (done) return controller.close();
        const newline = piece.lastIndexOf(10);
        open = newline < 0 ? open + piece.length : piece.length - newline - 1;
        if (open > maxBytes) {
          const error = replyTooLarge(maxChars);
          controller.error(error);
          // Stop reading the body, as the pipe did when its destination failed.
          reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(piece);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
