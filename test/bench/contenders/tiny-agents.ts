/**
 * @huggingface/tiny-agents 0.3.4, driven through its exported `Agent` class (which is
 * @huggingface/mcp-client's) against the same loopback model server and the same
 * stdio servers, with the same system prompt.
 *
 *   node dist/test/bench/contenders/tiny-agents.js JOB_JSON
 */
import { Agent } from '@huggingface/tiny-agents';
import { cpuMsSince, directivePrompt, finish, printAnswer, readJob, type BenchServer, type Directive } from '../protocol.js';

const job = readJob();

function makeAgent(servers: BenchServer[], mockUrl = 'http://127.0.0.1:9/v1', model = 'unused', system?: string): Agent {
  return new Agent({
    endpointUrl: mockUrl,
    model,
    servers: servers.map((s) => ({ command: s.command, args: s.args, env: s.env })),
    ...(system !== undefined ? { prompt: system } : {}),
  });
}

/** One user message through `run`; the answer is the last assistant text in the history. */
async function converse(agent: Agent, directive: Directive): Promise<string> {
  const history = (agent as unknown as { messages: Array<{ role: string; content?: unknown }> }).messages;
  history.length = 1; // a fresh conversation: keep the system prompt only
  for await (const _ of agent.run(directivePrompt(directive))) {
    // drain
  }
  for (let i = history.length - 1; i >= 0; i--) {
    const message = history[i]!;
    if (message.role === 'assistant' && typeof message.content === 'string' && message.content) return message.content;
  }
  throw new Error('tiny-agents ended without an answer');
}

try {
  if (job.kind === 'list') {
    const agent = makeAgent(job.servers);
    const started = performance.now();
    await agent.loadTools();
    const listMs = performance.now() - started;
    const maxRssKb = process.resourceUsage().maxRSS;
    const toolCount = agent.availableTools.length;
    await agent.cleanup();
    finish({ ok: true, listMs, toolCount, maxRssKb });
  } else {
    const agent = makeAgent(job.servers, job.mockUrl, job.model, job.system);
    const setupStarted = performance.now();
    await agent.loadTools();
    const setupMs = performance.now() - setupStarted;
    let warmupMs: number | undefined;
    if (job.warmup) {
      const t = performance.now();
      await converse(agent, job.warmup);
      warmupMs = performance.now() - t;
    }
    const cpu = process.cpuUsage();
    const t = performance.now();
    const answer = await converse(agent, job.directive);
    const conversationMs = performance.now() - t;
    const conversationCpuMs = cpuMsSince(cpu);
    printAnswer(answer);
    const maxRssKb = process.resourceUsage().maxRSS;
    await agent.cleanup();
    finish({ ok: true, answer, setupMs, warmupMs, conversationMs, conversationCpuMs, maxRssKb });
  }
} catch (error) {
  finish({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
