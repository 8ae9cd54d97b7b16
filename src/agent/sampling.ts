/**
 * Serves a server's `sampling/createMessage` with Switchboard's own model: the request's
 * messages (and system prompt) become the model's history, its `tools` (2025-11-25) are offered
 * as function tools, `maxTokens` is sent as the output limit, and the reply goes back in the
 * MCP result shape (array content with `tool_use` blocks when tools were given).
 *
 * No policy here (whether to serve it is decided by the caller) and no printing.
 */
import type { CreateMessageResult, CreateMessageResultWithTools } from '@modelcontextprotocol/sdk/types.js';
import type { ChatMessage, ChatModel, FunctionTool, ModelReply } from '../llm/model.js';
import type { SamplingParams } from '../mcp/client-features.js';

type SamplingBlock = Extract<SamplingParams['messages'][number]['content'], { type: string }>;

/** The request's messages as the model's history. */
export function samplingHistory(params: SamplingParams): ChatMessage[] {
  const history: ChatMessage[] = params.systemPrompt ? [{ role: 'system', content: params.systemPrompt }] : [];
  for (const message of params.messages) {
    const blocks: SamplingBlock[] = Array.isArray(message.content) ? message.content : [message.content];
    const text = blocks.map(blockText).filter((t) => t !== '').join('\n');
    if (message.role === 'assistant') {
      const toolCalls = blocks.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) }] : []));
      history.push({ role: 'assistant', content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
      continue;
    }
    const results = blocks.filter((b): b is Extract<SamplingBlock, { type: 'tool_result' }> => b.type === 'tool_result');
    for (const result of results) {
      const name = findToolName(history, result.toolUseId);
      history.push({ role: 'tool', toolCallId: result.toolUseId, name, content: result.content.map((c) => ('text' in c && typeof c.text === 'string' ? c.text : `[${c.type}]`)).join('\n') });
    }
    if (text !== '' || results.length === 0) history.push({ role: 'user', content: text });
  }
  return history;
}

function blockText(block: SamplingBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool_use':
    case 'tool_result':
      return '';
    default:
      return `[${block.type}${'mimeType' in block ? ` ${String(block.mimeType)}` : ''} omitted]`;
  }
}

function findToolName(history: readonly ChatMessage[], id: string): string {
  for (const message of history) if (message.role === 'assistant') for (const call of message.toolCalls ?? []) if (call.id === id) return call.name;
  return 'tool';
}

/** The request's tools as function tools. */
export function samplingTools(params: SamplingParams): FunctionTool[] {
  return (params.tools ?? []).map((tool) => ({
    type: 'function',
    function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.inputSchema as Record<string, unknown> },
  }));
}

/** Runs the model once for the request; resolves with the MCP result and the reply (for usage). */
export async function serveSampling(model: ChatModel, params: SamplingParams, signal: AbortSignal): Promise<{ result: CreateMessageResult | CreateMessageResultWithTools; reply: ModelReply }> {
  const tools = samplingTools(params);
  let reply: ModelReply | undefined;
  for await (const event of model.stream({ messages: samplingHistory(params), tools, signal, maxTokens: params.maxTokens })) {
    if (event.type === 'reply') reply = event.reply;
  }
  if (!reply) throw new Error('the model gave no reply');
  const stopReason = reply.finishReason === 'length' ? 'maxTokens' : reply.toolCalls.length > 0 ? 'toolUse' : 'endTurn';
  const modelName = model.description;
  if (params.tools === undefined) {
    return { reply, result: { model: modelName, role: 'assistant', stopReason, content: { type: 'text', text: reply.text } } };
  }
  const content: CreateMessageResultWithTools['content'] = [
    ...(reply.text ? [{ type: 'text' as const, text: reply.text }] : []),
    ...reply.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: parseInput(call.arguments) })),
  ];
  return { reply, result: { model: modelName, role: 'assistant', stopReason, content } };
}

function parseInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw: text };
  }
}
