/**
 * Switchboard driven IN-PROCESS through its own modules, along the exact path of
 * `switchboard chat` (src/cli/chat.ts): `withSession` (config file -> settings ->
 * HfChatModel -> ToolHub.start), then an `Agent` built as chatCommand builds it, and
 * `runTurn`. What is left out compared with the CLI: yargs, and the terminal renderer
 * (events are consumed but not printed). Cold start is measured through the real CLI
 * process instead (see run.ts).
 *
 *   node dist/test/bench/contenders/switchboard.js JOB_JSON
 */
import { Agent } from '../../../src/agent/loop.js';
import { runTurn } from '../../../src/cli/run-turn.js';
import { withSession } from '../../../src/cli/session.js';
import { cpuMsSince, directivePrompt, finish, printAnswer, readJob, type Directive } from '../protocol.js';
import type { ChatModel } from '../../../src/llm/model.js';
import type { RunSettings } from '../../../src/cli/settings.js';
import type { ToolHub } from '../../../src/mcp/hub.js';

const DRIVER = 'in-process: withSession + Agent + runTurn (src/cli/chat.ts path, no renderer)';

const job = readJob();
const interrupt = new AbortController();

async function converse(hub: ToolHub, model: ChatModel, settings: RunSettings, directive: Directive): Promise<string> {
  // The per-reply parallel cap (16 by default, a safety limit) is raised to the directive's
  // calls: the floor runs a turn's calls all at once, and the parallel row measures the host's
  // overhead, not the cap (20 calls would otherwise run in two waves).
  const maxParallelToolCalls = Math.max(settings.maxParallelToolCalls, directive.calls);
  const agent = new Agent({ model, tools: hub, system: settings.system, maxSteps: settings.maxSteps, maxContextTokens: settings.maxContextTokens, maxToolCallsPerReply: Math.max(settings.maxToolCallsPerReply, directive.calls), maxParallelToolCalls });
  const outcome = await runTurn(agent, directivePrompt(directive), { render() {} }, interrupt.signal);
  const last = agent.history[agent.history.length - 1];
  if (outcome !== 'answered' || last?.role !== 'assistant') throw new Error(`the turn ended without an answer (${outcome})`);
  return last.content;
}

try {
  if (job.kind === 'list') {
    // Module loading is excluded, as for the floor (which imports the SDK before its timer):
    // withSession loads these once the servers are spawned, so they are loaded here first.
    await Promise.all([import('../../../src/mcp/hub.js'), import('../../../src/mcp/tool-cache.js'), import('../../../src/mcp/client-features.js'), import('../../../src/ui/server-log.js'), import('../../../src/ui/activity.js'), import('../../../src/cli/client-requests.js'), import('../../../src/cli/approval-setup.js')]);
    const started = performance.now();
    let listMs = 0;
    let toolCount = 0;
    let maxRssKb = 0;
    await withSession({ config: job.configPath }, { needsModel: false, announce: false, signal: interrupt.signal }, async ({ hub }) => {
      listMs = performance.now() - started;
      toolCount = hub.functionTools.length;
      maxRssKb = process.resourceUsage().maxRSS;
    });
    finish({ ok: true, listMs, toolCount, maxRssKb, driver: DRIVER });
  } else {
    const flags = {
      config: job.configPath,
      endpointUrl: job.mockUrl,
      model: job.model,
      system: job.system,
      // The CLI's --max-steps: room for the longest scripted conversation.
      maxSteps: Math.max(job.directive.turns, job.warmup?.turns ?? 0) + 5,
    };
    const setupStarted = performance.now();
    const result = await withSession(flags, { needsModel: true, announce: false, signal: interrupt.signal }, async ({ hub, model, settings }) => {
      const setupMs = performance.now() - setupStarted;
      let warmupMs: number | undefined;
      if (job.warmup) {
        const t = performance.now();
        await converse(hub, model!, settings, job.warmup);
        warmupMs = performance.now() - t;
      }
      const cpu = process.cpuUsage();
      const t = performance.now();
      const answer = await converse(hub, model!, settings, job.directive);
      const conversationMs = performance.now() - t;
      const conversationCpuMs = cpuMsSince(cpu);
      printAnswer(answer);
      return { answer, setupMs, warmupMs, conversationMs, conversationCpuMs, maxRssKb: process.resourceUsage().maxRSS };
    });
    finish({ ok: true, ...result, driver: DRIVER });
  }
} catch (error) {
  finish({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
