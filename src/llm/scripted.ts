/**
 * The scripted model: replays a JSON file of assistant turns through the `ChatModel`
 * interface. It is not an LLM; it serves tests and the offline demo.
 *
 * File format (either an array of turns or `{ "turns": [...] }`):
 *   [
 *     { "toolCalls": [{ "name": "get_temperature", "arguments": { "city": "San Francisco" } }] },
 *     { "text": "The tool says: {{last_tool_result}}" }
 *   ]
 * A turn may say why the model stopped: `"finishReason": "length"` plays a reply cut off at the
 * output-token limit (default: `tool_calls` for a tool-call turn, `stop` for a text turn).
 * Each model request plays the next turn. In a text turn, `{{last_tool_result}}` is
 * replaced by the content of the newest tool message in the history.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserInputError } from '../errors.js';
import type { ChatModel, FinishReason, ModelRequest, ModelStreamEvent } from './model.js';

/** Every FinishReason, so a script can play any of them (`satisfies` keeps the two in step). */
const FinishReasonSchema = z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'unknown'] as const satisfies readonly FinishReason[]);

/** One turn: tool calls (with optional text before them), or a text answer. */
const ScriptedTurnSchema = z
  .object({
    toolCalls: z
      .array(
        z.object({
          id: z.string().optional(),
          name: z.string().min(1),
          arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
        }),
      )
      .min(1)
      .optional(),
    text: z.string().optional(),
    reasoning: z.string().optional(),
    finishReason: FinishReasonSchema.optional(),
  })
  .refine((turn) => turn.toolCalls !== undefined || turn.text !== undefined, { message: 'a turn needs "text" or "toolCalls"' });
const ScriptArraySchema = z.array(ScriptedTurnSchema);
const ScriptObjectSchema = z.object({ turns: ScriptArraySchema });
export type ScriptedTurn = z.infer<typeof ScriptedTurnSchema>;

export const LAST_TOOL_RESULT = '{{last_tool_result}}';

export class ScriptedChatModel implements ChatModel {
  readonly scripted = true;
  readonly description: string;
  private next = 0;
  private callCounter = 0;

  constructor(
    private readonly turns: ScriptedTurn[],
    source: string,
  ) {
    this.description = `scripted model (${source}, ${turns.length} turns): replays a script, not an LLM`;
  }

  static fromFile(path: string): ScriptedChatModel {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UserInputError('MODEL_SETUP', `Cannot read the scripted model file ${path}: ${(error as Error).message}`);
    }
    // One schema per shape, so a problem is reported at its own path (`3.finishReason`), not as a failed union.
    const parsed = Array.isArray(raw) ? ScriptArraySchema.safeParse(raw) : ScriptObjectSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
      throw new UserInputError('MODEL_SETUP', `Invalid scripted model file ${path}:\n${problems.join('\n')}\nExpected a list of turns, each {"toolCalls": [{"name", "arguments"}]} or {"text"}.`);
    }
    return new ScriptedChatModel(Array.isArray(parsed.data) ? parsed.data : parsed.data.turns, path);
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    const turn = this.turns[this.next];
    if (!turn) {
      throw new UserInputError('MODEL_SETUP', `The scripted model has no turn left: all ${this.turns.length} turns of the script were played.`);
    }
    this.next++;
    if (turn.reasoning) yield { type: 'reasoning_delta', text: turn.reasoning };
    if (turn.toolCalls) {
      if (turn.text) yield { type: 'text_delta', text: turn.text };
      const toolCalls = turn.toolCalls.map((call) => ({
        id: call.id ?? `scripted_call_${++this.callCounter}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      }));
      yield { type: 'reply', reply: { text: turn.text ?? '', ...(turn.reasoning ? { reasoning: turn.reasoning } : {}), toolCalls, finishReason: turn.finishReason ?? 'tool_calls' } };
      return;
    }
    const text = (turn.text ?? '').split(LAST_TOOL_RESULT).join(lastToolResult(request));
    yield { type: 'text_delta', text };
    yield { type: 'reply', reply: { text, ...(turn.reasoning ? { reasoning: turn.reasoning } : {}), toolCalls: [], finishReason: turn.finishReason ?? 'stop' } };
  }
}

function lastToolResult(request: ModelRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role === 'tool') return message.content;
  }
  return '(no tool result yet)';
}
