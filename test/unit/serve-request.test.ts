/** Unit tests of the chat request checks (src/serve/request.ts) and the activity lines (src/serve/wire.ts). */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/serve/http-error.js';
import { MAX_MESSAGES, parseChatRequest, prepareTurn } from '../../src/serve/request.js';
import { activityLine } from '../../src/serve/wire.js';

const fails = (body: unknown): HttpError => {
  try {
    prepareTurn(parseChatRequest(body));
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('chat request', () => {
  it('turns the messages into history + the last user message', () => {
    const turn = prepareTurn(
      parseChatRequest({
        model: 'm',
        stream: true,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Paris?' }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_temperature', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '20 C' },
          { role: 'assistant', content: 'Mild.' },
          { role: 'user', content: 'And Oslo?' },
        ],
        temperature: 0.2,
      }),
    );
    expect(turn.prompt).toBe('And Oslo?');
    expect(turn.stream).toBe(true);
    expect(turn.events).toBe(false);
    expect(turn.history).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Paris?' }] },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_temperature', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', toolCallId: 'c1', name: 'get_temperature', content: '20 C' },
      { role: 'assistant', content: 'Mild.' },
    ]);
  });

  it('refuses what it cannot run, naming the field', () => {
    expect(fails({ model: 'm', messages: [] })).toMatchObject({ status: 400, param: 'messages' });
    expect(fails({ messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ status: 400, param: 'model' });
    expect(fails({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] }).message).toMatch(/last message must be the user's/);
    expect(fails({ model: 'm', messages: [{ role: 'user', content: '  ' }] }).message).toMatch(/empty/);
    expect(fails({ model: 'm', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }, { role: 'user', content: 'x' }] }).message).toMatch(/no earlier assistant message called/);
    expect(fails({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] })).toMatchObject({ param: 'tools' });
    expect(fails({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }).status).toBe(400);
    expect(fails({ model: 'm', messages: Array.from({ length: MAX_MESSAGES + 1 }, () => ({ role: 'user', content: 'x' })) })).toMatchObject({ param: 'messages' });
  });
});

describe('activity lines', () => {
  it('are one terminal-safe line each, whatever a server or the model sent', () => {
    const call = activityLine({ type: 'tool_call', id: '1', name: 'evil', server: 'srv\u001b[2J', originalName: 'x\ny', arguments: { a: '\u001b]0;title\u0007' } })!;
    expect(call.endsWith('\n')).toBe(true);
    expect(call.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
    const result = activityLine({ type: 'tool_result', id: '1', name: 'evil', text: 'boom\n\u001b[31mred', isError: true, durationMs: 12.4 })!;
    expect(result).toMatch(/^← evil failed 12 ms: boom/);
    expect(result.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(activityLine({ type: 'text_delta', text: 'hi' })).toBeUndefined();
  });
});
