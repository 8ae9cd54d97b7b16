/**
 * `switchboard chat`, end to end: the built CLI as a child process, the bundled temperature
 * server, and either the scripted model or a loopback OpenAI-compatible mock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { expectNoStackTrace, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** Answers with a get_temperature call for Paris, then (once a tool message is in the history) with text. */
function weatherScript(request: RecordedRequest): ScriptedReply {
  const messages: Array<{ role: string; content?: unknown }> = request.body?.messages ?? [];
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') return { text: `Paris: ${String(last.content)}` };
  return { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] };
}

function toolMessages(request: RecordedRequest): Array<{ role: string; content: string; tool_call_id?: string }> {
  return (request.body?.messages ?? []).filter((m: { role: string }) => m.role === 'tool');
}

describe('chat with the scripted model and the bundled server', () => {
  it('answers a one-shot prompt: the answer alone on stdout, progress and the scripted-model notice on stderr', async () => {
    // A fresh folder as cwd: no ./switchboard.json, so the bundled default config is used.
    const cwd = h.dir();
    const r = await h.run(['chat', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out, 'stdout holds the answer and nothing else').toHaveLength(1);
    expect(out[0]).toMatch(/^Here is what the temperature tool reported: .*\b72\b/);
    expect(r.stdout).not.toMatch(/→|←|get_temperature|switchboard:/);
    // Progress: the tool call, on stderr.
    expect(r.stderr).toMatch(/→ get_temperature \[temperature\] \{"city":"San Francisco"\}/);
    expect(r.stderr).toMatch(/← get_temperature .*72/);
    // The user is told that no LLM answered (the scripted model replays a file).
    expect(r.stderr).toMatch(/scripted/i);
    expect(r.stderr).toMatch(/not an LLM/i);
    // With no --config and no ./switchboard.json, the user is told the bundled default is in use.
    expect(r.stderr).toMatch(/config: the bundled default, .*config\/default\.json/);
    // The bundled temperature server was started (and, per the harness, is gone again).
    expect(r.processes.some((p) => p.cmdline.includes('servers/temperature/main.js'))).toBe(true);
  });

  it('runs `npm run demo`\'s command from the repository root with the relative script path', async () => {
    const r = await h.run(['chat', '--model', 'scripted:config/demo.script.json', 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b72\b/);
  });

  it('--json: one JSON event per stdout line, with the tool call, its result and the final answer', async () => {
    const r = await h.run(['chat', '--json', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.length).toBeGreaterThan(0);
    const events = out.map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line}`);
      }
    });
    for (const event of events) {
      expect(event).toBeTypeOf('object');
      expect(typeof event.type).toBe('string');
    }
    const call = events.find((e) => e.type === 'tool_call');
    expect(call).toMatchObject({ name: 'get_temperature', server: 'temperature', arguments: { city: 'San Francisco' } });
    expect(typeof call!.id).toBe('string');
    const result = events.find((e) => e.type === 'tool_result');
    expect(result).toMatchObject({ name: 'get_temperature', id: call!.id, isError: false });
    expect(result!.text).toMatch(/\b72\b/);
    const final = events.at(-1)!;
    expect(final.type).toBe('final');
    expect(final.text).toMatch(/\b72\b/);
    expect(events.filter((e) => e.type === 'final')).toHaveLength(1);
    // Human-oriented progress stays off stdout.
    expect(r.stdout).not.toMatch(/→|←/);
  });
});

describe('chat with a loopback OpenAI-compatible model', () => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm({ script: weatherScript });
  });
  afterAll(async () => {
    await mock.close();
  });

  const chat = (prompt: string[], env: Record<string, string | undefined> = {}, input?: string) => {
    const before = mock.requests.length;
    return h
      .run(['chat', '--endpoint-url', mock.url, '--model', 'test-model', ...prompt], { cwd: h.dir(), env, input })
      .then((result) => ({ ...result, requests: mock.requests.slice(before) }));
  };

  it('calls the tool the model asks for and prints the model\'s answer; the tool result goes back to the model', async () => {
    const r = await chat(['What is the temperature in Paris?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests).toHaveLength(2);
    const [first, second] = r.requests as [RecordedRequest, RecordedRequest];
    expect(first.body.model).toBe('test-model');
    expect(first.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'What is the temperature in Paris?' });
    const tools = toolMessages(second);
    expect(tools).toHaveLength(1);
    expect(tools[0]!.content).toMatch(/\b75\b/);
    // The tool message answers the assistant's call.
    const assistant = second.body.messages.find((m: any) => m.role === 'assistant' && m.tool_calls?.length);
    expect(assistant.tool_calls[0].function.name).toBe('get_temperature');
    expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual({ city: 'Paris' });
    expect(tools[0]!.tool_call_id).toBe(assistant.tool_calls[0].id);
    // stdout: exactly the model's answer.
    expect(r.stdout).toBe(`Paris: ${tools[0]!.content}\n`);
    expect(r.stderr).toMatch(/→ get_temperature \[temperature\] \{"city":"Paris"\}/);
    // No token set: no Authorization header.
    for (const request of r.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('never sends HF_TOKEN to a non-Hugging Face endpoint', async () => {
    const r = await chat(['What is the temperature in Paris?'], { HF_TOKEN: 'hf_x' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests).toHaveLength(2);
    for (const request of r.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain('hf_x');
    }
  });

  it('sends SWITCHBOARD_API_KEY as the bearer token to a non-Hugging Face endpoint', async () => {
    const r = await chat(['What is the temperature in Paris?'], { HF_TOKEN: 'hf_x', SWITCHBOARD_API_KEY: 'sk-e2e-key' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests).toHaveLength(2);
    for (const request of r.requests) expect(request.headers.authorization).toBe('Bearer sk-e2e-key');
  });

  it('reads the prompt from piped stdin when no prompt argument is given', async () => {
    const r = await chat([], {}, 'What is the temperature in Paris?\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests).toHaveLength(2);
    const user = r.requests[0]!.body.messages.find((m: any) => m.role === 'user');
    expect(String(user.content).trim()).toBe('What is the temperature in Paris?');
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/^Paris: .*\b75\b/);
  });

  it('an empty piped stdin is a usage error (exit 2), and no model request is made', async () => {
    const r = await chat([], {}, '  \n');
    expect(r.code).toBe(2);
    expect(r.requests).toHaveLength(0);
    expect(r.stderr).toMatch(/prompt is empty/i);
    expectNoStackTrace(r.stderr);
  });
});

describe('--max-steps', () => {
  it('stops a model that never stops calling tools after exactly N model calls, exit 1', async () => {
    const mock = await startMockLlm({ script: () => ({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Tokyo' } }] }) });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'test-model', '--max-steps', '2', 'Loop forever'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(1);
      expect(mock.requests).toHaveLength(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/Stopped after 2 model calls/);
      expect(r.stderr).toMatch(/--max-steps|maxSteps/);
      expectNoStackTrace(r.stderr);
    } finally {
      await mock.close();
    }
  });
});
