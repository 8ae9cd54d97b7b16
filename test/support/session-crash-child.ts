/**
 * Writes a session file forever, as a chat would, until it is killed: for the crash test
 * (test/integration/session-crash.test.ts), which SIGKILLs it at random moments.
 *
 * Usage: node dist/test/support/session-crash-child.js FILE
 * Prints "ready" once the header is written. Each turn: a user message, model requests,
 * assistant tool calls (1-3, in parallel) with their results in random completion order,
 * and mostly a final answer, sometimes a `stopped` turn without one; the history and events
 * go through the real SessionWriter/SessionRecorder, in the order the agent loop makes them.
 */
import type { AgentEvent } from '../../src/agent/events.js';
import type { ChatMessage, ToolCall } from '../../src/llm/model.js';
import { SessionRecorder, SessionWriter } from '../../src/session/writer.js';

const path = process.argv[2];
if (!path) throw new Error('usage: session-crash-child FILE');
const writer = new SessionWriter(path);
writer.start({ model: 'crash-test', servers: [{ name: 'temperature', tools: ['get_temperature'] }] });
process.stdout.write('ready\n');

const history: ChatMessage[] = [{ role: 'system', content: 'You are under test.' }];
const recorder = new SessionRecorder(writer, history);
const emit = (event: AgentEvent) => recorder.observe(event);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

let callNumber = 0;
function turn(n: number): void {
  history.push({ role: 'user', content: `question ${n}: ${'how warm '.repeat(1 + Math.floor(Math.random() * 50))}` });
  const steps = 1 + Math.floor(Math.random() * 3);
  for (let step = 1; step <= steps; step++) {
    emit({ type: 'model_request', step, maxSteps: 5 });
    emit({ type: 'text_delta', text: 'thinking about it ' });
    const calls: ToolCall[] = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({
      id: `call_${++callNumber}`,
      name: 'get_temperature',
      arguments: JSON.stringify({ city: pick(['Paris', 'Tokyo', 'San Francisco', 'x'.repeat(Math.floor(Math.random() * 5000))]) }),
    }));
    history.push({ role: 'assistant', content: '', toolCalls: calls, reasoning: 'need the temperatures' });
    for (const call of calls) emit({ type: 'tool_call', id: call.id, name: call.name, server: 'temperature', originalName: call.name, arguments: JSON.parse(call.arguments) });
    for (const call of [...calls].sort(() => Math.random() - 0.5)) {
      emit({ type: 'tool_result', id: call.id, name: call.name, server: 'temperature', text: `The temperature is ${Math.round(Math.random() * 100)} °F.`, isError: false, durationMs: 3 });
    }
    for (const call of calls) history.push({ role: 'tool', toolCallId: call.id, name: call.name, content: 'The temperature is 70 °F.' });
  }
  if (Math.random() < 0.2) {
    emit({ type: 'stopped', reason: 'max_steps', message: 'Stopped after the step limit.', steps });
    recorder.flush();
    return;
  }
  emit({ type: 'model_request', step: steps + 1, maxSteps: 5 });
  history.push({ role: 'assistant', content: `answer ${n}` });
  emit({ type: 'final', text: `answer ${n}`, steps: steps + 1 });
  recorder.flush();
}

setImmediate(() => {
  for (let n = 1; ; n++) turn(n);
});
