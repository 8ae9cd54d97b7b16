/**
 * The pure parts of the MCP client features: the host tool's name, a prompt as a user turn,
 * a sampling request as the model's history, and the checks of an elicitation answer.
 */
import { describe, expect, it } from 'vitest';
import { samplingHistory, samplingTools } from '../../src/agent/sampling.js';
import { readResourceName, READ_RESOURCE_IDENTITY } from '../../src/mcp/host-tools.js';
import { toolIdentity } from '../../src/mcp/naming.js';
import { promptText } from '../../src/mcp/prompts.js';
import { parseField } from '../../src/ui/server-requests-prompt.js';

describe('read_resource naming', () => {
  it('takes read_resource when free, and keeps it for the session', () => {
    const offered = new Map<string, string>();
    expect(readResourceName(offered)).toBe('read_resource');
    expect(offered.get('read_resource')).toBe(READ_RESOURCE_IDENTITY);
    expect(readResourceName(offered)).toBe('read_resource');
  });

  it('steps aside for a server tool of that name', () => {
    const offered = new Map([['read_resource', toolIdentity({ server: 'files', originalName: 'read_resource' })]]);
    expect(readResourceName(offered)).toBe('switchboard__read_resource');
    expect(readResourceName(offered)).toBe('switchboard__read_resource');
  });
});

describe('promptText', () => {
  it('user messages read as their text; embedded resources as text, images as placeholders', () => {
    expect(
      promptText({
        messages: [
          { role: 'user', content: { type: 'text', text: 'Summarize:' } },
          { role: 'user', content: { type: 'resource', resource: { uri: 'x://a', text: 'the document' } } },
          { role: 'user', content: { type: 'image', data: 'AAAA', mimeType: 'image/png' } },
        ],
      }),
    ).toBe('Summarize:\n\nthe document\n\n[image image/png omitted]');
  });

  it('marks roles when the prompt holds assistant messages', () => {
    expect(promptText({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }, { role: 'assistant', content: { type: 'text', text: 'hello' } }] })).toBe('[user] hi\n\n[assistant] hello');
  });
});

describe('sampling request as history', () => {
  it('system prompt, text, tool use and tool result become system, user, assistant tool calls and tool messages', () => {
    const params = {
      maxTokens: 10,
      systemPrompt: 'be brief',
      messages: [
        { role: 'user' as const, content: { type: 'text' as const, text: 'look up x' } },
        { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 't1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user' as const, content: [{ type: 'tool_result' as const, toolUseId: 't1', content: [{ type: 'text' as const, text: 'x is 1' }] }] },
      ],
      tools: [{ name: 'lookup', inputSchema: { type: 'object' as const, properties: { q: { type: 'string' } } } }],
    };
    expect(samplingHistory(params)).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'look up x' },
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'lookup', arguments: '{"q":"x"}' }] },
      { role: 'tool', toolCallId: 't1', name: 'lookup', content: 'x is 1' },
    ]);
    expect(samplingTools(params)).toEqual([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }]);
  });
});

describe('elicitation answers are checked before they are sent', () => {
  it.each([
    ['yes', { type: 'boolean' }, true],
    ['maybe', { type: 'boolean' }, { problem: 'Answer y or n.' }],
    ['a@b.co', { type: 'string', format: 'email' }, 'a@b.co'],
    ['a@b', { type: 'string', format: 'email' }, { problem: 'That is not a valid email, e.g. name@example.com.' }],
    ['2025-02-30x', { type: 'string', format: 'date' }, { problem: 'That is not a valid date, e.g. 2025-01-31.' }],
    ['not a url', { type: 'string', format: 'uri' }, { problem: 'That is not a valid uri, e.g. https://example.com.' }],
    ['7', { type: 'integer', minimum: 1, maximum: 100 }, 7],
    ['7.5', { type: 'integer' }, { problem: 'Type a whole number.' }],
    ['0', { type: 'number', minimum: 1 }, { problem: 'It must be at least 1.' }],
    ['ab', { type: 'string', minLength: 3 }, { problem: 'At least 3 characters.' }],
    ['2', { type: 'string', enum: ['a', 'b'] }, 'b'],
    ['b', { type: 'string', enum: ['a', 'b'] }, 'b'],
    ['3', { type: 'string', enum: ['a', 'b'] }, { problem: 'Pick one by number, 1-2.' }],
    ['1, 2', { type: 'array', items: { anyOf: [{ const: 'x', title: 'X' }, { const: 'y', title: 'Y' }] } }, ['x', 'y']],
    ['1,2', { type: 'array', maxItems: 1, items: { enum: ['x', 'y'] } }, { problem: 'Pick 0 to 1 items.' }],
  ])('%j against %j', (answer, schema, expected) => {
    expect(parseField(answer, schema)).toEqual(expected);
  });
});
