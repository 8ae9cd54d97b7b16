/**
 * The event contract: what the agent loop yields, what the host adds, and what a `--json`
 * run prints, one object per line. The terminal UI, the JSON-lines output, the log file and
 * tests all consume these; the loop itself never prints.
 *
 * The zod schemas below are the source of truth: the TypeScript types come from them
 * (z.infer), and the JSON Schema shipped as `config/events.v1.schema.json` is generated from
 * them (`npm run schema`; a unit test fails when the committed file is stale).
 *
 * Versioning: every line of `--json` output carries `"v": 1` (EVENTS_VERSION). Within v1,
 * new event types and new optional fields may be added; a consumer should ignore what it
 * does not know. Renaming or removing a field, or changing its meaning, needs v2.
 */
import { z } from 'zod';

/** The version of the `--json` event contract, written as `"v"` on every line. */
export const EVENTS_VERSION = 1;

export const StopReasonSchema = z.enum(['max_steps', 'repeated_failure', 'empty_reply']).describe('Why a turn ended without an answer.');
export type StopReason = z.infer<typeof StopReasonSchema>;

const count = () => z.number().int().min(0);

// ---- the agent loop's events -------------------------------------------------------------

export const ModelRequestEventSchema = z
  .object({ type: z.literal('model_request'), step: z.number().int().min(1), maxSteps: z.number().int().min(1) })
  .describe('A model request is about to be sent; `step` counts model calls in this turn, from 1.');

export const ReasoningDeltaEventSchema = z.object({ type: z.literal('reasoning_delta'), text: z.string() }).describe('A piece of the model\'s streamed reasoning.');

export const TextDeltaEventSchema = z.object({ type: z.literal('text_delta'), text: z.string() }).describe('A piece of the model\'s streamed answer.');

export const ModelRetryEventSchema = z
  .object({ type: z.literal('model_retry'), attempt: z.number().int().min(1), delayMs: z.number().min(0), reason: z.string() })
  .describe('The model request failed transiently and is retried after `delayMs`. Deltas streamed before this event belonged to the failed attempt; the new attempt streams from the start.');

export const ToolCallEventSchema = z
  .object({
    type: z.literal('tool_call'),
    id: z.string(),
    name: z.string(),
    server: z.string().optional(),
    originalName: z.string().optional(),
    arguments: z.unknown(),
  })
  .describe('The model asked for a tool. `arguments` is the parsed JSON when it parses, else the raw text; `server`/`originalName` are absent when the name routes nowhere.');

export const ToolProgressEventSchema = z
  .object({
    type: z.literal('tool_progress'),
    id: z.string(),
    name: z.string(),
    server: z.string().optional(),
    progress: z.number(),
    total: z.number().optional(),
    message: z.string().optional(),
  })
  .describe('A progress notification from the server running call `id` (any number, in order, before its tool_result).');

export const ToolResultEventSchema = z
  .object({
    type: z.literal('tool_result'),
    id: z.string(),
    name: z.string(),
    server: z.string().optional(),
    text: z.string(),
    isError: z.boolean(),
    durationMs: z.number().min(0),
  })
  .describe('One per tool_call, in completion order (the history keeps call order).');

export const HistoryTrimmedEventSchema = z
  .object({ type: z.literal('history_trimmed'), droppedMessages: count(), estimatedTokens: count(), budgetTokens: count() })
  .describe('Old exchanges were dropped to keep the history under the context budget.');

export const NoticeEventSchema = z.object({ type: z.literal('notice'), message: z.string() }).describe('Something the user should know that is not an error of the turn.');

export const FinalEventSchema = z
  .object({ type: z.literal('final'), text: z.string(), steps: count(), truncated: z.boolean().optional() })
  .describe('The model answered in plain text: the turn is over. `truncated` is true when the model stopped because it ran out of output tokens (finish_reason "length").');

export const StoppedEventSchema = z
  .object({ type: z.literal('stopped'), reason: StopReasonSchema, message: z.string(), steps: count() })
  .describe('The turn ended without an answer, for the reason given (exit code 1).');

/** Who decided a call: see the `approval` event. */
export const ApprovalSourceSchema = z.enum(['policy', 'user', 'session', 'no_terminal']);
export type ApprovalSource = z.infer<typeof ApprovalSourceSchema>;

export const ApprovalRequestedEventSchema = z
  .object({
    type: z.literal('approval_requested'),
    id: z.string(),
    name: z.string(),
    server: z.string().optional(),
    originalName: z.string().optional(),
    arguments: z.unknown(),
    annotations: z.record(z.string(), z.unknown()).optional(),
    why: z.string(),
  })
  .describe(
    'Call `id` needs the user\'s approval (the policy says ask): the question follows, or, with nobody to ask (no terminal, --json), a denial. `why` says what made it ask ("server \"x\" is not trusted", "ask rule \"fs/*\"", "the tool appeared during the session"); `annotations` are the server\'s hints as given (untrusted unless the server is).',
  );

export const ApprovalEventSchema = z
  .object({
    type: z.literal('approval'),
    id: z.string(),
    name: z.string(),
    server: z.string().optional(),
    decision: z.enum(['allow', 'deny']),
    by: ApprovalSourceSchema,
    why: z.string(),
    reason: z.string().optional(),
  })
  .describe(
    'The decision on call `id`, one per tool_call (when the host reviews calls), in call order, before any call of the reply runs. `by`: `policy` (a rule or the approval mode), `user` (answered the question), `session` (an earlier "always" for this tool), `no_terminal` (it would ask, and nobody can be asked). `reason` is the user\'s own explanation for the model, when given. A denied call is not run; its tool_result (isError) carries what the model is told.',
  );

export const ModelResendEventSchema = z
  .object({ type: z.literal('model_resend'), step: z.number().int().min(1), resent: z.number().int().min(1), reason: z.string() })
  .describe('The model request of `step` was cancelled (or its reply set aside) and sent again, because the tools changed meanwhile (a server came up with a listing other than the cached one): the model never acts on a stale tool. `resent` counts these in the turn; they are not model calls of the step budget. Deltas before it belonged to the old request.');

export const ToolWaitEventSchema = z
  .object({ type: z.literal('tool_wait'), servers: z.array(z.string()) })
  .describe("The reply's tool calls wait for these servers, still starting, before they run.");

/**
 * Tokens one model call used (`scope: "call"`, after its reply, `step` as in model_request), or
 * the whole turn (`scope: "turn"`, right before the turn's `final` or `stopped`, with the model
 * calls, tool calls and wall time of the turn; servers' sampling requests served during the turn
 * count in it, `samplingCalls` of them). From the provider's `usage` when it reports it;
 * else estimated from the text sizes, and `estimated` is true (for a turn: when any of its calls
 * was estimated).
 */
const UsageCountsSchema = { type: z.literal('usage'), promptTokens: count(), completionTokens: count(), estimated: z.boolean() };

export const CallUsageEventSchema = z
  .object({ ...UsageCountsSchema, scope: z.literal('call'), step: z.number().int().min(1) })
  .describe('Tokens one model call used (after its reply; `step` as in model_request); `estimated` when the provider reported none.');

export const TurnUsageEventSchema = z
  .object({
    ...UsageCountsSchema,
    scope: z.literal('turn'),
    modelCalls: count(),
    toolCalls: count(),
    durationMs: z.number().min(0),
    samplingCalls: count().optional().describe("How many of `modelCalls` served servers' sampling requests during the turn (they have no `call` usage event; their tokens are in the turn's); absent when none."),
  })
  .describe(
    "Tokens, model calls, tool calls and wall time of a whole turn, right before its `final` or `stopped`, including model calls made for servers' sampling requests; `estimated` when any of its calls was estimated.",
  );

/** `usage`, by scope (a discriminated union nested in the one on `type`). */
export const UsageEventSchema = z.discriminatedUnion('scope', [CallUsageEventSchema, TurnUsageEventSchema]);

export const AgentEventSchema = z.discriminatedUnion('type', [
  ModelRequestEventSchema,
  ReasoningDeltaEventSchema,
  TextDeltaEventSchema,
  ModelRetryEventSchema,
  ModelResendEventSchema,
  ToolWaitEventSchema,
  ToolCallEventSchema,
  ApprovalRequestedEventSchema,
  ApprovalEventSchema,
  ToolProgressEventSchema,
  ToolResultEventSchema,
  HistoryTrimmedEventSchema,
  NoticeEventSchema,
  FinalEventSchema,
  StoppedEventSchema,
  UsageEventSchema,
]);
/** What the agent loop yields. */
export type AgentEvent = z.infer<typeof AgentEventSchema>;

// ---- the host's events (the CLI emits them; the loop never does) -------------------------

/** A server's state as `session_start` and `server_state` report it (src/mcp/connection.ts has the lifecycle). */
export const ServerStateSchema = z.enum(['starting', 'ready', 'crashed', 'down', 'closed']);

export const SessionStartEventSchema = z
  .object({
    type: z.literal('session_start'),
    version: z.string().describe('Switchboard\'s version.'),
    model: z.string().describe('The model as described to the user (id, endpoint, or scripted file).'),
    servers: z.array(z.object({ name: z.string(), state: ServerStateSchema, toolCount: count() })),
    toolCount: count().describe('Tools offered to the model (after naming and filtering).'),
    sessionFile: z.string().optional().describe('The session file this run is recorded in, when it is recorded.'),
  })
  .describe('The first line of a chat run: once the servers have started, or, with a warm tool-listing cache, at once, with the servers still `starting` (each then reports `server_state` ready, or down when its start fails).');

export const ServerStateEventSchema = z
  .object({
    type: z.literal('server_state'),
    server: z.string(),
    state: ServerStateSchema,
    previous: ServerStateSchema,
  })
  .describe('A server changed state after session_start: ready (came up behind the cached listing, or restarted), crashed (restarted on its next call), starting (a restart), down (its first start failed, or it crashed too often; its tools answer "server down").');

export const ServerLogEventSchema = z
  .object({ type: z.literal('server_log'), server: z.string(), level: z.string(), logger: z.string().optional(), data: z.unknown() })
  .describe('A log message from a server (MCP notifications/message).');

export const ErrorEventSchema = z
  .object({ type: z.literal('error'), code: z.string(), message: z.string(), exitCode: z.number().int() })
  .describe('The run failed: always the last line, exactly once; `exitCode` is the process\'s exit code.');

export const HostEventSchema = z.discriminatedUnion('type', [SessionStartEventSchema, ServerStateEventSchema, ServerLogEventSchema, ErrorEventSchema]);
/** Events the host adds to the stream outside the loop. */
export type HostEvent = z.infer<typeof HostEventSchema>;

/** Everything a `--json` run may print (without the version field the renderer adds). */
export const OutputEventSchema = z.discriminatedUnion('type', [...AgentEventSchema.options, ...HostEventSchema.options]);
export type OutputEvent = z.infer<typeof OutputEventSchema>;

/** One line of `--json` output as written: the event plus `"v": 1`. */
export const WireEventSchema = z.discriminatedUnion(
  'type',
  OutputEventSchema.options.map((option) => {
    const version = { v: z.literal(EVENTS_VERSION).describe('The version of the event contract.') };
    // extend() drops the description; the JSON Schema should keep it.
    const withVersion = (object: z.ZodObject) => {
      const wire = object.extend(version);
      return object.description ? wire.describe(object.description) : wire;
    };
    return option instanceof z.ZodDiscriminatedUnion ? z.discriminatedUnion('scope', option.options.map((inner) => withVersion(inner as z.ZodObject)) as never) : withVersion(option as z.ZodObject);
  }) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<string>; v: z.ZodLiteral<1> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<string>; v: z.ZodLiteral<1> }>[],
  ],
);
