/**
 * `switchboard call <tool> [json-args]`: calls one tool directly through its owner
 * (no model involved) and prints the result text. Exit 1 when the result is an error.
 */
import { SwitchboardError, UserInputError } from '../errors.js';
import { parseArguments } from '../mcp/arguments.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export async function callCommand(flags: GlobalFlags & { tool: string; args?: string }, signal: AbortSignal): Promise<number> {
  const parsed = parseArguments(flags.args ?? '');
  if (!parsed.ok) {
    throw new UserInputError('USAGE', `Bad arguments for ${flags.tool}: ${parsed.problem} Example: switchboard call ${flags.tool} '{"city": "Paris"}'`);
  }
  return withSession(flags, { needsModel: false, announce: false, signal }, async ({ hub }) => {
    if (!hub.routes.has(flags.tool)) {
      const names = [...hub.routes.keys()];
      throw new UserInputError('TOOL_NOT_FOUND', `No tool named "${flags.tool}". Available: ${names.join(', ') || '(none)'}. See: switchboard tools`);
    }
    const outcome = await hub.call(flags.tool, parsed.value, signal);
    // hub.call reports a cancelled call as an error result; for the CLI it is an interrupt.
    if (signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    // The result goes to stdout either way; the exit code says whether it is an error.
    process.stdout.write(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
    return outcome.isError ? 1 : 0;
  });
}
