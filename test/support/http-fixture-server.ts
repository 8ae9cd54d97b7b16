/**
 * http-fixture-server: a fault-injecting MCP server over Streamable HTTP, on 127.0.0.1 only.
 *
 *   node dist/test/support/http-fixture-server.js --port N [flags]
 *
 * Built on the SDK's low-level `Server` and `StreamableHTTPServerTransport` (one session per
 * initialize), so the faults a remote server shows are under the test's control. Flags:
 *   --port N                 listen on 127.0.0.1:N (0: any; the chosen port is printed)
 *   --require-header N=V     refuse requests without header N equal to V (401, WWW-Authenticate absent)
 *   --forget-sessions-after-list  after the first complete tools/list, forget every session
 *                            (once): the next request with a session id gets 404 (an expired session)
 *   --page-size N            tools/list pages of at most N tools
 *   --event-log PATH         append one line per event: "initialize", "call NAME", "cancelled",
 *                            "delete-session", "forgot-sessions"
 * Prints "listening on PORT" on stdout once it accepts connections.
 *
 * Tools: echo {text}, slow {steps} (one progress notification per step, 100 ms apart, then
 * "done"), add_tool (adds `extra` and sends notifications/tools/list_changed), t1..t4 (no-ops).
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const port = Number(flag('--port') ?? '0');
const requiredHeader = flag('--require-header')?.split('=');
const forgetAfterList = argv.includes('--forget-sessions-after-list');
const pageSize = flag('--page-size') ? Number(flag('--page-size')) : undefined;
const eventLog = flag('--event-log');
const log = (line: string) => eventLog && appendFileSync(eventLog, `${line}\n`);

const object = { type: 'object' as const };
let extraAdded = false;
let forgotten = false;
function tools(): Tool[] {
  const list: Tool[] = [
    { name: 'echo', description: 'Echoes text', inputSchema: { ...object, properties: { text: { type: 'string' } }, required: ['text'] } },
    { name: 'slow', description: 'Progress per step', inputSchema: { ...object, properties: { steps: { type: 'number' } } } },
    { name: 'add_tool', description: 'Adds the tool extra', inputSchema: object },
    ...['t1', 't2', 't3', 't4'].map((name) => ({ name, description: `no-op ${name}`, inputSchema: object })),
  ];
  if (extraAdded) list.push({ name: 'extra', description: 'Added at run time', inputSchema: object });
  return list;
}

const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();

function newServer(): Server {
  const server = new Server({ name: 'http-fixture', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const all = tools();
    const start = Number(request.params?.cursor ?? '0');
    const size = pageSize ?? all.length;
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    if (forgetAfterList && next === undefined && !forgotten) {
      forgotten = true;
      setImmediate(forgetSessions);
    }
    return { tools: page, ...(next ? { nextCursor: next } : {}) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    log(`call ${name}`);
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    if (name === 'echo') return { content: [{ type: 'text', text: `echo: ${String(args.text)}` }] };
    if (name === 'add_tool') {
      extraAdded = true;
      await server.sendToolListChanged();
      return { content: [{ type: 'text', text: 'added extra' }] };
    }
    if (name === 'slow') {
      const steps = Number(args.steps ?? 3);
      const token = request.params._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        if (extra.signal.aborted) {
          log('cancelled');
          throw new McpError(ErrorCode.InvalidRequest, 'cancelled');
        }
        if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: step, total: steps, message: `step ${step}` } });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { content: [{ type: 'text', text: 'done' }] };
    }
    if (tools().some((tool) => tool.name === name)) return { content: [{ type: 'text', text: `${name} ok` }] };
    throw new McpError(ErrorCode.InvalidParams, `no tool ${name}`);
  });
  return server;
}

function forgetSessions(): void {
  log('forgot-sessions');
  for (const { server } of sessions.values()) void server.close();
  sessions.clear();
}

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

const http = createServer(async (request, response) => {
  try {
    if (requiredHeader && request.headers[requiredHeader[0]!.toLowerCase()] !== requiredHeader[1]) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'missing or wrong token' }));
      return;
    }
    const sessionId = request.headers['mcp-session-id'];
    const parsed = request.method === 'POST' ? await body(request) : undefined;
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      if (request.method === 'DELETE') log('delete-session');
      await session.transport.handleRequest(request, response, parsed);
      return;
    }
    if (request.method !== 'POST' || (parsed as { method?: string })?.method !== 'initialize') {
      response.writeHead(400).end('no session');
      return;
    }
    log('initialize');
    const server = newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, parsed);
  } catch (error) {
    if (!response.headersSent) response.writeHead(500).end(String(error));
  }
});
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
