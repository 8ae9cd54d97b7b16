/**
 * `switchboard call <tool> [json-args]`: calls one tool directly through its owner
 * (no model involved) and prints the result text. Exit 1 when the result is an error.
 *
 * - `server/tool` (or `--server NAME`) starts only that server; a bare name starts all.
 * - The arguments come from the second positional, or from stdin when it is `-` or
 *   absent with stdin piped. Bad arguments are reported with the tool's own required
 *   arguments, so they are checked once the servers are up and the schema is known.
 * - `--json` prints the server's raw result; `--save-media DIR` writes its image, audio
 *   and blob parts to files and prints their paths.
 */
import { safe } from '../ui/style.js';
import { untilAborted } from '../abort.js';
import { SwitchboardError, UserInputError } from '../errors.js';
import { mediaParts } from '../mcp/content.js';
import { argumentHint } from './argument-example.js';
import { saveMedia } from './save-media.js';
import { withSession } from './session.js';
import { buildPolicy } from './approval-setup.js';
import { decide } from '../policy/approval.js';
import type { GlobalFlags } from './settings.js';
import { findRoute, serverFilter, type ToolTarget } from './tool-target.js';

export interface CallFlags extends GlobalFlags {
  tool: string;
  args?: string;
  server?: string;
  json?: boolean;
  saveMedia?: string;
}

export async function callCommand(flags: CallFlags, signal: AbortSignal): Promise<number> {
  const raw = await untilAborted(readArguments(flags.args), signal);
  let target: ToolTarget = { tool: flags.tool };
  const servers = serverFilter(flags.tool, flags.server, (t) => (target = t));
  return withSession(flags, { needsModel: false, announce: false, signal, servers }, async ({ hub, config }) => {
    // Imported here (the hub has loaded it by now): its JSON Schema validator need not delay the server's spawn.
    const { parseArguments } = await import('../mcp/arguments.js');
    const parsed = parseArguments(raw);
    const route = findRoute(hub.routes, target);
    // Naming the call is the user's consent, so it never asks; a deny rule still denies.
    const verdict = decide(buildPolicy({ approval: 'yes' }, config), { server: route.server, originalName: route.originalName, exposedName: route.exposedName });
    if (verdict.permission === 'deny') {
      throw new SwitchboardError('TOOL_DENIED', `${route.server}/${route.originalName} was not run: the config denies it (${verdict.why}). Change "permissions" in ${config.path} to call it.`);
    }
    const command = `switchboard call ${target.server ? `${route.server}/${route.originalName}` : route.exposedName}`;
    if (!parsed.ok) throw new UserInputError('USAGE', `Bad arguments for ${route.exposedName}: ${parsed.problem} ${argumentHint(command, route.functionTool.function.parameters)}`);
    const outcome = await hub.call(route.exposedName, parsed.value, signal);
    // hub.call reports a cancelled call as an error result; for the CLI it is an interrupt.
    if (signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    // The result goes to stdout either way; the exit code says whether it is an error.
    if (flags.json) {
      // With no server result (arguments refused, timeout, crash) the host's message stands in, in the same shape.
      const result = outcome.result ?? { content: [{ type: 'text', text: outcome.text }], isError: outcome.isError };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      // A terminal gets the result made safe (a server's escape sequences removed); a pipe gets it exact.
      const text = process.stdout.isTTY ? safe(outcome.text) : outcome.text;
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    if (flags.saveMedia !== undefined && outcome.result) {
      const paths = saveMedia(flags.saveMedia, route.originalName, mediaParts(outcome.result));
      const report = paths.map((path) => `saved: ${path}\n`).join('');
      // With --json stdout is one JSON document: the paths go to stderr.
      (flags.json ? process.stderr : process.stdout).write(report);
    }
    return outcome.isError ? 1 : 0;
  });
}

/**
 * The argument text: the positional, or stdin for `-`, or stdin when there is no
 * positional and stdin is not a terminal (as `chat` reads its prompt: a pipe, a file,
 * a socket from a spawning program); with no positional at a terminal, no arguments.
 */
async function readArguments(positional: string | undefined): Promise<string> {
  if (positional !== undefined && positional !== '-') return positional;
  if (positional === undefined && process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
