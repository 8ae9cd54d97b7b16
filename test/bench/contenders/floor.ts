/**
 * The floor: a minimal, competent MCP host written with nothing but the MCP SDK's
 * client and `fetch` (streaming SSE) to the model server. It is the cost of the
 * protocol itself: what any host has to pay.
 *
 * - servers are started concurrently, each listed once;
 * - the tool calls of one turn run concurrently (Promise.all);
 * - the request body is the minimal OpenAI one: model, messages, tools, stream.
 *
 *   node dist/test/bench/contenders/floor.js JOB_JSON
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cpuMsSince, directivePrompt, finish, printAnswer, readJob, type BenchServer, type Directive } from '../protocol.js';

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };
interface WireTool {
  type: 'function';
  function: { name: string; description?: string; parameters: unknown };
}

interface Connected {
  clients: Client[];
  owner: Map<string, Client>;
  tools: WireTool[];
}

async function connectAll(servers: BenchServer[]): Promise<Connected> {
  const owner = new Map<string, Client>();
  const tools: WireTool[] = [];
  const listed = await Promise.all(
    servers.map(async (server) => {
      const client = new Client({ name: 'bench-floor', version: '1.0.0' });
      await client.connect(new StdioClientTransport({ command: server.command, args: server.args, env: server.env }));
      const { tools: serverTools } = await client.listTools();
      return { client, serverTools };
    }),
  );
  for (const { client, serverTools } of listed) {
    for (const tool of serverTools) {
      owner.set(tool.name, client);
      tools.push({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.inputSchema } });
    }
  }
  return { clients: listed.map((l) => l.client), owner, tools };
}

/** One streamed completion, assembled. */
async function complete(url: string, model: string, messages: WireMessage[], tools: WireTool[]): Promise<{ text: string; calls: WireToolCall[] }> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, tools, stream: true }),
  });
  if (!response.ok || !response.body) throw new Error(`model server: HTTP ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  const calls: WireToolCall[] = [];
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') continue;
      const delta = JSON.parse(data).choices?.[0]?.delta;
      if (!delta) continue;
      if (typeof delta.content === 'string') text += delta.content;
      for (const piece of delta.tool_calls ?? []) {
        const call = (calls[piece.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.function.name += piece.function.name;
        if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
      }
    }
  }
  return { text, calls };
}

async function converse(url: string, model: string, system: string, directive: Directive, connected: Connected): Promise<string> {
  const messages: WireMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: directivePrompt(directive) },
  ];
  for (;;) {
    const { text, calls } = await complete(url, model, messages, connected.tools);
    if (calls.length === 0) return text;
    messages.push({ role: 'assistant', content: text || null, tool_calls: calls });
    const results = await Promise.all(
      calls.map(async (call) => {
        const client = connected.owner.get(call.function.name);
        if (!client) return `Error: no tool ${call.function.name}`;
        const result = await client.callTool({ name: call.function.name, arguments: JSON.parse(call.function.arguments || '{}') });
        const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
        return content.map((part) => (part.type === 'text' ? (part.text ?? '') : `[${part.type}]`)).join('\n');
      }),
    );
    calls.forEach((call, i) => messages.push({ role: 'tool', tool_call_id: call.id, content: results[i]! }));
  }
}

const job = readJob();
if (job.kind === 'list') {
  const started = performance.now();
  const connected = await connectAll(job.servers);
  const listMs = performance.now() - started;
  const maxRssKb = process.resourceUsage().maxRSS;
  await Promise.all(connected.clients.map((c) => c.close()));
  finish({ ok: true, listMs, toolCount: connected.tools.length, maxRssKb });
} else {
  const setupStarted = performance.now();
  const connected = await connectAll(job.servers);
  const setupMs = performance.now() - setupStarted;
  let warmupMs: number | undefined;
  if (job.warmup) {
    const t = performance.now();
    await converse(job.mockUrl, job.model, job.system, job.warmup, connected);
    warmupMs = performance.now() - t;
  }
  const cpu = process.cpuUsage();
  const t = performance.now();
  const answer = await converse(job.mockUrl, job.model, job.system, job.directive, connected);
  const conversationMs = performance.now() - t;
  const conversationCpuMs = cpuMsSince(cpu);
  printAnswer(answer);
  const maxRssKb = process.resourceUsage().maxRSS;
  await Promise.all(connected.clients.map((c) => c.close()));
  finish({ ok: true, answer, setupMs, warmupMs, conversationMs, conversationCpuMs, maxRssKb });
}
