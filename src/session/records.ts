/**
 * The session file's records: JSON lines, one record per line, in the order things happened.
 *
 * - `session_start`: the header, first line of every file.
 * - an agent event (`src/agent/events.ts`, exactly as `--json` prints it) plus `t`; also the
 *   host's `server_state` events (a server crashed, restarted, went down), recorded by the chat.
 * - `message`: the history as it grows, one record per message appended to it. Events alone
 *   cannot rebuild the history (raw tool-call arguments and reasoning are not in them).
 * - `history_reset`: the conversation was cleared (REPL `/clear`); resume starts after it.
 *
 * Every record has `t`, milliseconds since the epoch. Records hold what the model saw and
 * said, never anything of the environment (no tokens, no env values, no endpoint URL).
 * Types come from these schemas. Unknown record types are kept by the reader (a newer
 * Switchboard may write more), and ignored by resume and the trace.
 */
import { z } from 'zod';

/** Bumped when a record changes shape in a way older readers would misread. */
export const SESSION_FORMAT_VERSION = 1;

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

/** Mirrors `ChatMessage` in src/llm/model.ts (a test checks they stay assignable both ways). */
export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({
    role: z.literal('user'),
    // Text, or (with `"images": true`) text and image parts after a step's tool messages.
    content: z.union([
      z.string(),
      z.array(z.union([z.object({ type: z.literal('text'), text: z.string() }), z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) })])),
    ]),
  }),
  z.object({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(toolCallSchema).optional(), reasoning: z.string().optional() }),
  z.object({ role: z.literal('tool'), toolCallId: z.string(), name: z.string(), content: z.string() }),
]);

export const sessionStartSchema = z.object({
  type: z.literal('session_start'),
  t: z.number(),
  /** SESSION_FORMAT_VERSION of the writer. */
  format: z.number().int(),
  /** Switchboard's version. */
  switchboard: z.string(),
  /** The model id (or `scripted:PATH`); never the endpoint URL, which may hold credentials. */
  model: z.string(),
  provider: z.string().optional(),
  /** The config file's path. */
  config: z.string().optional(),
  /** Each configured server with the exposed names of its tools (empty when it failed). */
  servers: z.array(z.object({ name: z.string(), tools: z.array(z.string()), failed: z.boolean().optional() })),
  /** ISO 8601 start time (the same instant as `t`, for people reading the file). */
  startedAt: z.string(),
});

export const messageRecordSchema = z.object({ type: z.literal('message'), t: z.number(), message: chatMessageSchema });

export const historyResetSchema = z.object({ type: z.literal('history_reset'), t: z.number() });

/**
 * Any other record: an agent event with its `t`. Events are checked loosely (type and `t`)
 * so that events added later to src/agent/events.ts are recorded and read without a change here.
 */
export const eventRecordSchema = z.looseObject({ type: z.string(), t: z.number() });

export type SessionStart = z.infer<typeof sessionStartSchema>;
export type MessageRecord = z.infer<typeof messageRecordSchema>;
export type HistoryReset = z.infer<typeof historyResetSchema>;
export type EventRecord = z.infer<typeof eventRecordSchema>;
export type SessionRecord = SessionStart | MessageRecord | HistoryReset | EventRecord;
export type RecordedMessage = z.infer<typeof chatMessageSchema>;

/** Checks one parsed line; returns the record, or a message saying what is wrong with it. */
export function parseRecord(value: unknown): { record: SessionRecord } | { error: string } {
  const base = eventRecordSchema.safeParse(value);
  if (!base.success) return { error: 'not a record (an object with a string "type" and a number "t")' };
  const schema =
    base.data.type === 'session_start' ? sessionStartSchema : base.data.type === 'message' ? messageRecordSchema : base.data.type === 'history_reset' ? historyResetSchema : undefined;
  if (!schema) return { record: base.data };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { record: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `invalid ${base.data.type} record${issue ? ` (${issue.path.join('.') || 'record'}: ${issue.message})` : ''}` };
}

export function isMessageRecord(record: SessionRecord): record is MessageRecord {
  return record.type === 'message';
}

export function isSessionStart(record: SessionRecord): record is SessionStart {
  return record.type === 'session_start';
}
