/**
 * The `big-result` bench scenario's child: one tool result of MB MiB on one line, from the
 * hostile server's `huge_line` tool, timed from the call to the parsed result.
 *
 *   node dist/test/bench/big-result.js switchboard|floor MB
 *
 * - switchboard: the ToolHub (Switchboard's own stdio transport and LineReader) in-process.
 * - floor: the least a host can do: the server spawned by hand, JSON-RPC written by hand,
 *   stdout chunks kept in a list and concatenated once at the newline, then JSON.parse.
 *   (Not the SDK's StdioClientTransport: its ReadBuffer is quadratic, the bug measured here.)
 *
 * Prints one JSON line: {"ok":true,"ms":...,"chars":...} or {"ok":false,"error":...}.
 * Servers inherit SWITCHBOARD_BENCH_MARK from the environment, so the orchestrator finds leftovers.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolHub } from '../../src/mcp/hub.js';

const HOSTILE = join(dirname(fileURLToPath(import.meta.url)), '../support/hostile-server.js');
const MARK_VAR = 'SWITCHBOARD_BENCH_MARK';

function serverArgs(mb: number): string[] {
  return [HOSTILE, '--huge-line', String(mb)];
}

/** Checks the result text is the whole line the server sent. */
function check(text: string, mb: number): number {
  const expected = Math.max(10, Math.round(mb * 1024 * 1024));
  if (text.length !== expected || !text.startsWith('HUGE-') || !text.endsWith('-END')) {
    throw new Error(`wrong result: ${text.length} characters (expected ${expected}), starts ${JSON.stringify(text.slice(0, 10))}`);
  }
  return text.length;
}

async function viaSwitchboard(mb: number): Promise<{ ms: number; chars: number }> {
  const mark = process.env[MARK_VAR];
  const hub = new ToolHub([{ name: 'hostile', transport: 'stdio', command: process.execPath, args: serverArgs(mb), env: mark ? { [MARK_VAR]: mark } : {} }], {
    startupTimeoutMs: 30_000,
    toolTimeoutMs: 600_000,
    maxToolOutputChars: 20_000,
  });
  try {
    const report = await hub.start();
    if (report.failed.length > 0) throw new Error(report.failed[0]!.message);
    const started = performance.now();
    const outcome = await hub.call('huge_line', '{}');
    const ms = performance.now() - started;
    if (outcome.isError) throw new Error(outcome.text);
    const part = outcome.result?.content?.[0] as { text?: string } | undefined;
    return { ms, chars: check(part?.text ?? '', mb) };
  } finally {
    await hub.close();
  }
}

async function viaFloor(mb: number): Promise<{ ms: number; chars: number }> {
  const child = spawn(process.execPath, serverArgs(mb), { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  let chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      chunks.push(chunk.subarray(start, nl));
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      chunks = [];
      if (typeof message.id === 'number') waiting.get(message.id)?.(message);
      start = nl + 1;
    }
    if (start < chunk.length) chunks.push(chunk.subarray(start));
  });
  let nextId = 1;
  const request = (method: string, params: unknown) =>
    new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  try {
    await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'floor', version: '1' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const started = performance.now();
    const reply = await request('tools/call', { name: 'huge_line', arguments: {} });
    const ms = performance.now() - started;
    if (reply.error) throw new Error(reply.error.message);
    const text = (reply.result as { content: Array<{ text: string }> }).content[0]!.text;
    return { ms, chars: check(text, mb) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
  }
}

const [contender, mbText] = process.argv.slice(2);
const mb = Number(mbText);
try {
  if (!Number.isFinite(mb) || mb <= 0) throw new Error('usage: big-result.js switchboard|floor MB');
  const measured = contender === 'switchboard' ? await viaSwitchboard(mb) : contender === 'floor' ? await viaFloor(mb) : undefined;
  if (!measured) throw new Error(`unknown contender ${String(contender)}`);
  process.stdout.write(`${JSON.stringify({ ok: true, ...measured })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
}
