/**
 * Records a real run into a session file, the way `chat` will once the recorder is wired in:
 * the real `Agent`, the real `ToolHub` with the bundled temperature server as a child process,
 * and `HfChatModel` (the real @huggingface/inference streaming path) talking to the loopback
 * mock model, every event and history message written through `SessionWriter`.
 *
 * The run has two turns: a retried model request (HTTP 503), two parallel tool calls, a tool
 * call that fails, and an answer; then a prompt, arguments and an answer full of HTML meant to
 * break a page that does not escape it. Children run from dist/ (build first).
 */
import { Agent } from '../../src/agent/loop.js';
import { HfChatModel } from '../../src/llm/hf.js';
import { ToolHub } from '../../src/mcp/hub.js';
import { serversForHeader } from '../../src/session/header.js';
import { readSessionFile } from '../../src/session/reader.js';
import type { SessionRecord } from '../../src/session/records.js';
import { SessionRecorder, SessionWriter } from '../../src/session/writer.js';
import { startMockLlm } from './mock-llm.js';
import { TEMPERATURE_SERVER_PATH } from './paths.js';

/** Text in the second turn that would run or fetch something if the page did not escape it. */
export const HOSTILE_PROMPT = '<script>document.title="pwned"</script><img src="http://127.0.0.1:9/x.png" onerror="document.title=1"> weather in </pre></details> Tokyo?';
export const HOSTILE_ANSWER = 'Tokyo is 73 °F. <iframe src="http://127.0.0.1:9/"></iframe><style>body{display:none}</style>';

export interface RecordedRun {
  records: SessionRecord[];
  /** tool_call events in the run. */
  toolCalls: number;
}

export async function recordRealSession(path: string): Promise<RecordedRun> {
  const mock = await startMockLlm();
  const hub = new ToolHub([{ name: 'temperature', transport: 'stdio', command: process.execPath, args: [TEMPERATURE_SERVER_PATH], env: {} }], {
    startupTimeoutMs: 20_000,
    toolTimeoutMs: 20_000,
    maxToolOutputChars: 20_000,
  });
  const writer = new SessionWriter(path);
  try {
    const report = await hub.start();
    if (report.failed.length > 0) throw new Error(`temperature server failed: ${report.failed.map((f) => f.message).join('; ')}`);
    writer.start({ model: 'test-model', config: '/tmp/switchboard.json', servers: serversForHeader(hub, report.failed) });
    const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 2, timeoutMs: 10_000, backoffBaseMs: 5 });
    const agent = new Agent({ model, tools: hub, system: 'You are Switchboard under test.', maxSteps: 6 });
    mock.enqueue(
      { fault: 'http', status: 503, retryAfterSeconds: 0 },
      {
        reasoning: 'Two cities: ask for both at once.',
        toolCalls: [
          { id: 'call_paris', name: 'get_temperature', arguments: { city: 'Paris' } },
          { id: 'call_sf', name: 'get_temperature', arguments: { city: 'San Francisco', unit: 'celsius' } },
        ],
      },
      { toolCalls: [{ id: 'call_empty', name: 'get_temperature', arguments: { city: ' ' } }] },
      { text: 'Paris is 75 °F and San Francisco is 22 °C.', chunkSize: 6 },
      { toolCalls: [{ id: 'call_tokyo', name: 'get_temperature', arguments: { city: 'Tokyo</script><b>', note: '<img src=x onerror=alert(1)>' } }] },
      { text: HOSTILE_ANSWER },
    );
    let toolCalls = 0;
    for (const prompt of ['How warm is it in Paris and San Francisco?', HOSTILE_PROMPT]) {
      const recorder = new SessionRecorder(writer, agent.history);
      try {
        for await (const event of agent.send(prompt)) {
          recorder.observe(event);
          if (event.type === 'tool_call') toolCalls++;
        }
      } finally {
        recorder.flush();
      }
    }
    const read = readSessionFile(path);
    if (read.warnings.length > 0) throw new Error(`the recorded session has damaged lines: ${read.warnings.join('; ')}`);
    return { records: read.records, toolCalls };
  } finally {
    writer.close();
    await hub.close();
    await mock.close();
  }
}
