/**
 * Standalone mock LLM process (for benchmarks and manual runs).
 *
 *   node dist/test/support/mock-llm-main.js SCRIPT.json [--port N]
 *
 * SCRIPT.json holds an array of ScriptedReply (or an object `{ "script": [...] }`). Once listening
 * on 127.0.0.1, prints exactly one JSON line `{"url":"http://127.0.0.1:PORT/v1"}` on stdout and
 * stays up until SIGTERM/SIGINT, then closes the server and exits 0.
 */
import { readFileSync } from 'node:fs';
import { startMockLlm, type ScriptedReply } from './mock-llm.js';

function usage(message: string): never {
  process.stderr.write(`mock-llm-main: ${message}\nusage: mock-llm-main SCRIPT.json [--port N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let scriptPath: string | undefined;
let port = 0;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--port') {
    const value = Number(args[++i]);
    if (!Number.isInteger(value) || value < 0 || value > 65535) usage('--port needs an integer 0-65535');
    port = value;
  } else if (arg !== undefined && scriptPath === undefined) {
    scriptPath = arg;
  } else {
    usage(`unexpected argument ${String(arg)}`);
  }
}
if (!scriptPath) usage('missing script file');

let script: ScriptedReply[];
try {
  const parsed: unknown = JSON.parse(readFileSync(scriptPath, 'utf8'));
  const list = Array.isArray(parsed) ? parsed : (parsed as { script?: unknown } | null)?.script;
  if (!Array.isArray(list)) usage('script file must hold a JSON array (or {"script": [...]})');
  script = list as ScriptedReply[];
} catch (error) {
  usage(`cannot read script ${scriptPath}: ${error instanceof Error ? error.message : String(error)}`);
}

const mock = await startMockLlm({ script, port });
process.stdout.write(`${JSON.stringify({ url: mock.url })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void mock.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
