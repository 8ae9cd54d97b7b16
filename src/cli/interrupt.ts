/**
 * Ctrl+C and termination signals for one-shot commands.
 *
 * First signal: abort the run's signal, which aborts the model request and the running
 * tool calls (servers receive notifications/cancelled); the command then unwinds,
 * closes every server and exits 130. A second signal while that is under way:
 * SIGKILL every server process group at once and exit 130.
 */
import { killAllGroupsNow } from '../mcp/server-process.js';
import { ExitCode } from '../errors.js';

export function installInterruptHandlers(controller: AbortController): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      controller.abort(new Error(`received ${signal}`));
      return;
    }
    killAllGroupsNow();
    process.exit(ExitCode.interrupted);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
