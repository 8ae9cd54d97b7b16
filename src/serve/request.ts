/**
 * The body of `POST /v1/chat/completions`, validated and bounded, and turned into the
 * agent's history.
 *
 * Contract:
 * - `messages` is the whole conversation (system, developer, user, assistant with or without
 *   tool_calls, tool); the LAST message must be the user's: it is the turn Switchboard runs.
 *   Earlier messages become the agent's history as they are (a client's own system message
 *   replaces the configured --system; without one the configured one is used).
 * - `model` must name the configured model (the one `GET /v1/models` lists): a request cannot
 *   pick another model or provider (the server's operator chose it and pays for it).
 * - `stream` (default false); `"x-switchboard-events": true` adds Switchboard's v1 events
 *   (see README). Client-side `tools` are refused: the tools are the configured servers'.
 *   Other OpenAI fields (temperature, max_tokens, ...) are accepted and ignored.
 * - Bounds: MAX_MESSAGES messages, MAX_TEXT_CHARS characters in any one text (the body itself
 *   is limited to MAX_BODY_BYTES before it is parsed).
 */
import { z } from 'zod';
import type { ChatMessage, UserContentPart } from '../llm/model.js';
import { badRequest } from './http-error.js';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_MESSAGES = 1000;
const MAX_TEXT_CHARS = MAX_BODY_BYTES;
const MAX_PARTS = 256;

const text = z.string().max(MAX_TEXT_CHARS);
const TextPart = z.object({ type: z.literal('text'), text });
const ImagePart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: text }) });
const Parts = z.array(z.union([TextPart, ImagePart])).max(MAX_PARTS);
const TextParts = z.array(TextPart).max(MAX_PARTS);

const ToolCallSchema = z.object({
  id: z.string().max(256),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().max(256), arguments: text }),
});

const MessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.union([text, TextParts]) }),
  z.object({ role: z.literal('developer'), content: z.union([text, TextParts]) }),
  z.object({ role: z.literal('user'), content: z.union([text, Parts]) }),
  z.object({ role: z.literal('assistant'), content: z.union([text, TextParts]).nullish(), tool_calls: z.array(ToolCallSchema).max(MAX_PARTS).optional() }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().max(256), content: z.union([text, TextParts]), name: z.string().max(256).optional() }),
]);

export const ChatRequestSchema = z.object({
  model: z.string().min(1).max(512),
  messages: z.array(MessageSchema).min(1).max(MAX_MESSAGES),
  stream: z.boolean().nullish(),
  'x-switchboard-events': z.boolean().optional(),
  tools: z.array(z.unknown()).optional(),
  n: z.number().int().nullish(),
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export interface PreparedTurn {
  /** Everything before the last user message, as the agent's history. */
  history: ChatMessage[];
  /** The last user message's text: the turn to run. */
  prompt: string;
  stream: boolean;
  events: boolean;
}

/** Parses and checks a request body (already JSON); throws a 400 HttpError naming the field. */
export function parseChatRequest(body: unknown): ChatRequest {
  const parsed = ChatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw badRequest(`${path ? `${path}: ` : ''}${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : ''}`, path || null);
  }
  const request = parsed.data;
  if (request.tools && request.tools.length > 0) throw badRequest('Client-side "tools" are not supported: Switchboard calls the tools of its configured MCP servers itself. Leave "tools" out.', 'tools');
  if (request.n != null && request.n !== 1) throw badRequest('Only n=1 is supported.', 'n');
  return request;
}

export function prepareTurn(request: ChatRequest): PreparedTurn {
  const messages = request.messages;
  const last = messages[messages.length - 1]!;
  if (last.role !== 'user') throw badRequest(`The last message must be the user's (role "user"), not "${last.role}": it is the turn Switchboard runs.`, `messages.${messages.length - 1}.role`);
  let prompt: string;
  if (typeof last.content === 'string') prompt = last.content;
  else {
    if (last.content.some((part) => part.type !== 'text')) throw badRequest('Images in the last user message are not supported.', `messages.${messages.length - 1}.content`);
    prompt = last.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  if (prompt.trim() === '') throw badRequest('The last user message is empty.', `messages.${messages.length - 1}.content`);
  const joined = (content: string | { text: string }[] | null | undefined) => (typeof content === 'string' ? content : (content ?? []).map((part) => part.text).join('\n'));
  const names = new Map<string, string>();
  const history: ChatMessage[] = [];
  messages.slice(0, -1).forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        history.push({ role: 'system', content: joined(message.content) });
        break;
      case 'user':
        history.push({ role: 'user', content: typeof message.content === 'string' ? message.content : (message.content as UserContentPart[]) });
        break;
      case 'assistant': {
        const toolCalls = message.tool_calls?.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
        for (const call of toolCalls ?? []) names.set(call.id, call.name);
        history.push({ role: 'assistant', content: joined(message.content), ...(toolCalls && toolCalls.length > 0 ? { toolCalls } : {}) });
        break;
      }
      case 'tool': {
        const name = message.name ?? names.get(message.tool_call_id);
        if (name === undefined) throw badRequest(`A tool message answers tool_call_id "${message.tool_call_id}", which no earlier assistant message called.`, `messages.${index}.tool_call_id`);
        history.push({ role: 'tool', toolCallId: message.tool_call_id, name, content: joined(message.content) });
        break;
      }
    }
  });
  return { history, prompt, stream: request.stream === true, events: request['x-switchboard-events'] === true };
}
