/**
 * What the README promises, checked through the built CLI: the flags taking effect, flags
 * winning over the file, stdin left alone with a prompt argument, a server silent at
 * initialize, the bad-schema warning, retry notices, "history trimmed", and the environment
 * allow-list for servers. The model is the loopback mock (test/support/mock-llm.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, messagesOf } from '../support/mock-llm.js';
import { readPidFileNow } from '../support/processes.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { expectNoStackTrace, fixtureServer, lines, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

let mock: MockLlm;
beforeEach(async () => {
  mock = await startMockLlm();
});
afterEach(async () => {
  closeTerminals();
  await mock.close();
});

const toolMessages = (request: RecordedRequest) => messagesOf(request).filter((m) => m.role === 'tool').map((m) => String(m.content));

/** `switchboard chat` against the mock, with a config holding `servers` and `settings`. */
function chat(prompt: string, servers: Record<string, unknown>, settings: Record<string, unknown> = {}, flags: string[] = []) {
  const config = h.file('config.json', { ...settings, mcpServers: servers });
  return h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', ...flags, prompt], { cwd: h.dir() });
}

describe('--verbose', () => {
  it('shows server stderr, model reasoning and step counts; without it none of them', async () => {
    const script = () => [
      { reasoning: 'I should echo the word.', toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }] },
      { text: 'Echoed.' },
    ];
    const servers = { fx: fixtureServer('--tools', 'echo', '--stderr-lines', '2') };

    mock.enqueue(...script());
    const verbose = await chat('Echo hi', servers, {}, ['--verbose']);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toBe('Echoed.\n');
    expect(verbose.stderr).toMatch(/\[fx\] fixture stderr line 1/);
    expect(verbose.stderr).toMatch(/I should echo the word\./);
    expect(verbose.stderr).toMatch(/model call 2\//);

    mock.enqueue(...script());
    const quiet = await chat('Echo hi', servers);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('Echoed.\n');
    expect(quiet.stderr).not.toMatch(/fixture stderr line/);
    expect(quiet.stderr).not.toMatch(/I should echo the word/);
    expect(quiet.stderr).not.toMatch(/model call \d/);
  });
});

describe('--tool-timeout', () => {
  it('cancels a tool call that takes too long; the model is told it timed out and answers', async () => {
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] }, { text: 'The tool timed out.' });
    const r = await chat('Call hang', { fx: fixtureServer('--tools', 'hang,echo') }, {}, ['--tool-timeout', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('The tool timed out.\n');
    expect(mock.requests).toHaveLength(2);
    const [tool] = toolMessages(mock.requests[1]!);
    expect(tool).toMatch(/timed out after 1 s/);
    expect(r.stderr).toMatch(/✗ hang .*timed out after 1 s/);
  });
});

describe('--model-timeout and retry notices', () => {
  it('a model server that stays silent past --model-timeout is retried; the retry is shown on stderr', async () => {
    mock.enqueue({ fault: 'hang' }, { text: 'Second attempt answers.' });
    // 5 s, not 1: the answering attempt must beat it too, and the loopback model lives in this
    // (possibly starved) test process; a 1 s window failed with two suites running on 2 cores.
    const r = await chat('Hello', { temperature: temperatureServer() }, {}, ['--model-timeout', '5', '--retries', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Second attempt answers.\n');
    expect(mock.requests).toHaveLength(2);
    expect(r.stderr).toMatch(/↻ model request failed \(.*timed out.*\); retry 1 after/);
  });

  it('an HTTP 503 is retried with a notice on stderr', async () => {
    mock.enqueue({ fault: 'http', status: 503, retryAfterSeconds: 0 }, { text: 'Recovered.' });
    const r = await chat('Hello', { temperature: temperatureServer() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Recovered.\n');
    expect(r.stderr).toMatch(/↻ model request failed \(.*503.*\); retry 1 after/);
  });
});

describe('--retries', () => {
  it('--retries 1: a model server that always fails gets exactly 2 requests, then exit 1 with a message', async () => {
    const failing = await startMockLlm({ script: () => ({ fault: 'http', status: 503, retryAfterSeconds: 0 }) });
    try {
      const config = h.file('retries.json', { mcpServers: { temperature: temperatureServer() } });
      const r = await h.run(['chat', '--config', config, '--endpoint-url', failing.url, '--model', 'test-model', '--retries', '1', 'Hello'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(1);
      expect(failing.requests).toHaveLength(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/after 2 attempts/);
      expect(r.stderr.match(/↻ model request failed/g)).toHaveLength(1);
      expectNoStackTrace(r.stderr);
    } finally {
      await failing.close();
    }
  });
});

describe('flags win over the file', () => {
  it('for every setting: each file value would break the run, each flag fixes it', async () => {
    // The file: a dead endpoint, another model and system prompt, 1 step, a 0.2 s tool
    // timeout, a 0.3 s model timeout and no retries. The run needs 3 model calls, a 1 s tool
    // call, a retry and a reply whose chunks come 1 s apart.
    const settings = {
      endpointUrl: 'http://127.0.0.1:9/v1',
      model: 'file-model',
      system: 'system from the file',
      maxSteps: 1,
      toolTimeout: 0.2,
      modelTimeout: 0.3,
      retries: 0,
    };
    mock.enqueue(
      { fault: 'http', status: 503, retryAfterSeconds: 0 },
      { toolCalls: [{ name: 'sleep', arguments: { ms: 1000 } }] },
      { text: 'Slept and answered.', chunkSize: 10, delayMs: 1000 },
    );
    const config = h.file('file-settings.json', { ...settings, mcpServers: { fx: fixtureServer('--tools', 'sleep') } });
    const r = await h.run(
      [
        'chat', '--config', config,
        '--endpoint-url', mock.url, '--model', 'flag-model', '--system', 'system from the flag', '--max-steps', '5',
        '--tool-timeout', '30', '--model-timeout', '30', '--retries', '1', '--yes',
        'Sleep a second',
      ],
      { cwd: h.dir() },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Slept and answered.\n');
    expect(mock.requests).toHaveLength(3);
    for (const request of mock.requests) {
      expect(request.body.model).toBe('flag-model');
      expect(messagesOf(request)[0]).toEqual({ role: 'system', content: 'system from the flag' });
    }
    expect(toolMessages(mock.requests[2]!)).toEqual(['slept 1000 ms']);
    // One retry (the 503), not a model timeout.
    expect(r.stderr.match(/↻/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/timed out/);
  });

  it('and the same file without the flags does take effect (so the test above can fail)', async () => {
    // Only the endpoint and model come from flags: the file's maxSteps 1 then stops the run.
    mock.enqueue({ toolCalls: [{ name: 'sleep', arguments: { ms: 10 } }] });
    const r = await chat('Sleep', { fx: fixtureServer('--tools', 'sleep') }, { maxSteps: 1, system: 'system from the file' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Stopped after 1 model call/);
    expect(messagesOf(mock.requests[0]!)[0]).toEqual({ role: 'system', content: 'system from the file' });
  });
});

describe('a prompt argument', () => {
  it('means stdin is not read: the run ends while stdin stays open, and the prompt is the argument', async () => {
    mock.enqueue({ text: 'Answered the argument.' });
    const config = h.file('stdin.json', { mcpServers: { temperature: temperatureServer() } });
    const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'The argument'], {
      cwd: h.dir(),
      input: 'text on stdin that must not be read\n',
      keepStdinOpen: true,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Answered the argument.\n');
    const users = messagesOf(mock.requests[0]!).filter((m) => m.role === 'user');
    expect(users).toEqual([{ role: 'user', content: 'The argument' }]);
  });
});

describe('startupTimeout', () => {
  it('a server silent at initialize past startupTimeout is reported and stopped; the others go on', async () => {
    const slowPid = h.pidfile('slow.pid');
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] }, { text: 'Paris is fine.' });
    const r = await chat(
      'Weather in Paris?',
      { temperature: temperatureServer(), slow: fixtureServer('--slow-start', '60000', '--pidfile', slowPid) },
      // Long enough for the temperature server to start on a busy machine; far under the 60 s.
      { startupTimeout: 8 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Paris is fine.\n');
    expect(r.stderr).toMatch(/server "slow" failed to start/);
    expect(r.stderr).toMatch(/server "slow" failed to start[^\n]*did not answer the MCP initialize request within 8 s/);
    expect(r.stderr).not.toMatch(/server "temperature" failed/);
    expect(readPidFileNow(slowPid)).toBeDefined(); // it did start (and the harness checks it is gone)
    expectNoStackTrace(r.stderr);
  });
});

describe('a tool whose inputSchema is not an object', () => {
  it('is left out with a warning line naming the tool and the server; the other tools stay', async () => {
    const config = h.file('bad-schema.json', { mcpServers: { fx: fixtureServer('--tools', 'echo', '--bad-schema') } });
    const r = await h.run(['tools', '--config', config], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^! tool "bad_schema" of server "fx" is left out: .+$/m);
    expect(r.stdout).toMatch(/\becho\b/);
    expect(r.stdout).not.toMatch(/bad_schema/);
  });
});

describe.skipIf(TERMINAL_MISSING)('history trimming', () => {
  it('is shown when old exchanges are dropped to stay under maxContextTokens; the dropped exchange is not sent', async () => {
    const long = `${'A long first answer. '.repeat(150)}END`;
    mock.enqueue({ text: long }, { text: 'Short second answer.' });
    const config = h.file('trim.json', { maxContextTokens: 600, mcpServers: { fx: fixtureServer('--tools', 'echo') } });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes']);
    await t.waitFor(/you> /);
    let mark = t.screen().length;
    t.type('First question\r');
    await t.waitFor(/END[\s\S]*you> /, mark);
    mark = t.screen().length;
    t.type('Second question\r');
    await t.waitFor(/Short second answer\.[\s\S]*you> /, mark);
    expect(t.screen().slice(mark)).toMatch(/✂ history trimmed: dropped the \d+ oldest messages/);
    expect(mock.requests).toHaveLength(2);
    const sent = messagesOf(mock.requests[1]!);
    expect(sent.some((m) => m.content === 'First question')).toBe(false);
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'Second question' });
    t.type('/exit\r');
    expect(await t.exit).toBe(0);
  });
});

const PROC_MISSING = existsSync('/proc/self/environ') ? undefined : `reading a server's environment needs /proc (Linux); this is ${process.platform}`;
if (PROC_MISSING) process.stderr.write(`skipping the server environment test: ${PROC_MISSING}\n`);

describe.skipIf(PROC_MISSING)('the environment a server gets', () => {
  it('holds only the allow-list and the configured env: no HF_TOKEN, no SWITCHBOARD_API_KEY, no other variable of the user', async () => {
    const pidfile = h.pidfile('env.pid');
    let environ: Record<string, string> | undefined;
    // Read the server's environment while it is certainly running: when the model is asked
    // the second time, after the tool call.
    const envMock = await startMockLlm({
      script: (_request, index) => {
        if (index === 0) return { toolCalls: [{ name: 'echo', arguments: { text: 'x' } }] };
        const pid = readPidFileNow(pidfile);
        const raw = pid === undefined ? '' : readFileSync(`/proc/${pid}/environ`, 'utf8');
        environ = Object.fromEntries(
          raw
            .split('\0')
            .filter(Boolean)
            .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
        );
        return { text: 'done' };
      },
    });
    try {
      const config = h.file('env.json', {
        mcpServers: { fx: { ...fixtureServer('--tools', 'echo', '--pidfile', pidfile), env: { CONFIGURED_VAR: 'from-config' } } },
      });
      const r = await h.run(['chat', '--config', config, '--endpoint-url', envMock.url, '--model', 'test-model', '--yes', 'Echo x'], {
        cwd: h.dir(),
        env: { HF_TOKEN: 'hf_secret_token', SWITCHBOARD_API_KEY: 'sk-secret', MY_PRIVATE_VAR: 'private' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r.stdout)).toEqual(['done']);
      expect(environ, 'the server environment was read').toBeDefined();
      // SWITCHBOARD_RUN is Switchboard's own marker (which run started the server), no value of the user's.
      const allowed = new Set(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'CONFIGURED_VAR', 'SWITCHBOARD_RUN']);
      expect(Object.keys(environ!).filter((key) => !allowed.has(key))).toEqual([]);
      expect(environ!.CONFIGURED_VAR).toBe('from-config');
      expect(Object.values(environ!).join('\n')).not.toMatch(/hf_secret_token|sk-secret|private/);
    } finally {
      await envMock.close();
    }
  });
});
