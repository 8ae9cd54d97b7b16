/**
 * The loop's default limits on one reply's tool calls, apart from the loop itself: the CLI's
 * settings (read by every command before anything starts) need the numbers, not the loop.
 */
/** Calls of one reply that run; the rest get an error tool message. */
export const DEFAULT_MAX_TOOL_CALLS_PER_REPLY = 128;
/** Calls running at once; the others wait their turn, in call order. */
export const DEFAULT_MAX_PARALLEL_TOOL_CALLS = 16;
