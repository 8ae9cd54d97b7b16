/**
 * The agent loop's approval hook (src/agent/loop.ts CallApprover): each call of a reply is
 * reviewed in call order before any runs; denied calls are not run and get one tool message
 * saying why; `approval_requested` / `approval` events come in order.
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { Agent, type ApprovalVerdict, type CallApprover, type CallUnderReview, type ToolExecutor } from '../../src/agent/loop.js';
import type { ChatModel, FunctionTool, ModelReply, ModelRequest, ModelStreamEvent, ToolCall } from '../../src/llm/model.js';

const routes = new Map([
  ['read', { server: 's', originalName: 'read' }],
  ['write', { server: 's', originalName: 'write', definition: { annotations: { destructiveHint: true } } }],
]);

class Tools implements ToolExecutor {
  readonly functionTools: FunctionTool[] = [...routes.keys()].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } }));
  readonly routes = routes;
  readonly ran: string[] = [];
  async call(name: string) {
    this.ran.push(name);
    return { text: `${name} ok`, isError: false, server: 's', durationMs: 1 };
  }
}

/** Replies with `calls` first, then "done"; keeps the requests. */
class Model implements ChatModel {
  readonly description = 'test';
  readonly requests: ModelRequest[] = [];
  constructor(private readonly calls: ToolCall[]) {}
  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    this.requests.push(structuredClone({ ...request, signal: undefined }));
    const reply: ModelReply = this.requests.length === 1 ? { text: '', toolCalls: this.calls, finishReason: 'tool_calls' } : { text: 'done', toolCalls: [], finishReason: 'stop' };
    yield { type: 'reply', reply };
  }
}

const call = (id: string, name: string): ToolCall => ({ id, name, arguments: '{"x":1}' });

/** Allows `read`, asks about `write` and answers with `answer` (recording the order of events). */
function approver(answer: (review: CallUnderReview) => Promise<ApprovalVerdict>, log: string[]): CallApprover {
  return {
    check: ({ call }) => (call.name === 'read' ? { decision: 'allow', by: 'policy', why: 'allowed' } : { decision: 'ask', why: 'asks' }),
    ask: (review) => {
      log.push(`ask ${review.call.id}`);
      return answer(review);
    },
  };
}

async function run(agent: Agent, log: string[] = []): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of agent.send('go')) {
    events.push(event);
    log.push(event.type);
  }
  return events;
}

describe('the approval hook', () => {
  it('reviews calls in order before any runs; a denied call is not run and gets its tool message, in call order', async () => {
    const tools = new Tools();
    const model = new Model([call('a', 'write'), call('b', 'read'), call('c', 'write')]);
    const log: string[] = [];
    let asked = 0;
    const deny = async (): Promise<ApprovalVerdict> => (++asked === 1 ? { decision: 'deny', by: 'user', why: 'declined', reason: 'not now' } : { decision: 'allow', by: 'user', why: 'once' });
    const events = await run(new Agent({ model, tools, approver: approver(deny, log), maxSteps: 5 }), log);
    expect(tools.ran).toEqual(['read', 'write']);
    const review = events.filter((e) => e.type === 'approval_requested' || e.type === 'approval');
    expect(review).toEqual([
      { type: 'approval_requested', id: 'a', name: 'write', server: 's', originalName: 'write', arguments: { x: 1 }, annotations: { destructiveHint: true }, why: 'asks' },
      { type: 'approval', id: 'a', name: 'write', server: 's', decision: 'deny', by: 'user', why: 'declined', reason: 'not now' },
      { type: 'approval', id: 'b', name: 'read', server: 's', decision: 'allow', by: 'policy', why: 'allowed' },
      { type: 'approval_requested', id: 'c', name: 'write', server: 's', originalName: 'write', arguments: { x: 1 }, why: 'asks', annotations: { destructiveHint: true } },
      { type: 'approval', id: 'c', name: 'write', server: 's', decision: 'allow', by: 'user', why: 'once' },
    ]);
    // The question for c comes after a was answered; nothing runs before the last answer.
    expect(log.indexOf('ask c')).toBeGreaterThan(log.indexOf('approval'));
    expect(log.lastIndexOf('approval')).toBeLessThan(log.indexOf('tool_result'));
    const tool = model.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(tool.map((m) => [m.role === 'tool' && m.toolCallId, m.content])).toEqual([
      ['a', "The user declined this call to write; it was not run. The user's reason: not now"],
      ['b', 'read ok'],
      ['c', 'write ok'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'done' });
  });

  it("the approver's own message reaches the model for a denial", async () => {
    const tools = new Tools();
    const model = new Model([call('a', 'write')]);
    const events = await run(new Agent({ model, tools, approver: approver(async () => ({ decision: 'deny', by: 'no_terminal', why: 'asks', message: 'Not run: no terminal.' }), []), maxSteps: 5 }));
    expect(tools.ran).toEqual([]);
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ id: 'a', text: 'Not run: no terminal.', isError: true });
  });

  it('a cancelled question ends the turn as interrupted: nothing runs, the turn is taken back', async () => {
    const tools = new Tools();
    const model = new Model([call('a', 'read'), call('b', 'write')]);
    const turn = new AbortController();
    const agent = new Agent({ model, tools, approver: approver(async () => {
      turn.abort();
      return { decision: 'deny', by: 'user', why: 'declined' };
    }, []), maxSteps: 5 });
    const drain = async () => {
      for await (const _event of agent.send('go', turn.signal)) void _event;
    };
    await expect(drain()).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(tools.ran).toEqual([]);
    expect(agent.history).toEqual([]);
  });
});
