/**
 * The host's answers to what servers ask of it (client-features.ts): sampling with the run's
 * model, elicitation from the user. Policy:
 * - Sampling: a server with `"sampling": "allow"` is served; `"deny"` is refused; otherwise
 *   (`ask`, the default) the user approves each request in a terminal (once / always for this
 *   server / deny), and without a terminal it is refused. A command without a model
 *   (`tools`, `call`, `resources`...) refuses every request, saying so.
 * - Elicitation: in a terminal the user answers the form (or consents to open a URL); without
 *   one the config's `elicitation` answer (`decline`, the default, or `cancel`) is given.
 * Every refusal is told to the user (a notice naming the server and what it asked for) and to
 * the server (an error, or the decline, which the tool passes on to the model).
 */
import { type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { serveSampling } from '../agent/sampling.js';
import type { ServerSpec } from '../config/schema.js';
import type { ChatModel } from '../llm/model.js';
import type { ClientRequestHandlers, ElicitParams, SamplingParams } from '../mcp/client-features.js';
import { oneLine } from '../ui/style.js';
import { terminalSafe } from '../ui/sanitize.js';
import { askElicitation, askSamplingApproval, type SamplingAnswer } from '../ui/server-requests-prompt.js';

export interface ClientRequestOptions {
  model?: ChatModel;
  servers: readonly ServerSpec[];
  /** The answer to an elicitation when the user cannot be asked. */
  elicitation: 'decline' | 'cancel';
  /** True when the user can be asked (stdin and stderr are terminals). */
  interactive: boolean;
  notice(server: string, message: string): void;
  /** Tokens a served sampling request used (counted in the run's usage). */
  usage?(server: string, usage: { promptTokens: number; completionTokens: number }): void;
}

export function clientRequests(options: ClientRequestOptions): ClientRequestHandlers {
  const alwaysAllowed = new Set<string>();
  return {
    async sampling(server, params, signal) {
      const policy = options.servers.find((s) => s.name === server)?.sampling ?? 'ask';
      const what = describeSampling(params);
      const refuse = (why: string): never => {
        options.notice(server, `server "${server}" asked the model for a completion (${what}); refused: ${why}`);
        throw new Error(`sampling refused by the user's host (Switchboard): ${why}`);
      };
      if (!options.model) refuse('this command runs no model (sampling is served in `switchboard chat`)');
      if (policy === 'deny') refuse(`the config says "sampling": "deny" for this server`);
      if (policy === 'ask' && !alwaysAllowed.has(server)) {
        if (!options.interactive) refuse(`there is no terminal to ask for approval; to serve this server's requests without asking, set "sampling": "allow" on its entry in the config`);
        const answer: SamplingAnswer = await askSamplingApproval(server, params, signal);
        if (answer === 'deny') refuse('the user denied it');
        if (answer === 'always') alwaysAllowed.add(server);
      }
      const { result, reply } = await serveSampling(options.model!, params, signal);
      if (reply.usage) options.usage?.(server, reply.usage);
      return result;
    },
    async elicitation(server, params, signal, completed): Promise<ElicitResult> {
      if (!options.interactive) {
        const action = options.elicitation;
        options.notice(
          server,
          `server "${server}" asked for ${describeElicitation(params)}; ${action === 'decline' ? 'declined' : 'cancelled'}: there is no terminal to ask on (the config's "elicitation" sets this answer: "decline" or "cancel")`,
        );
        return { action };
      }
      return askElicitation(server, params, signal, completed);
    },
  };
}

/** One line on a sampling request: its size and limit (the text is shown only when asking). */
function describeSampling(params: SamplingParams): string {
  return `${params.messages.length} message${params.messages.length === 1 ? '' : 's'}, at most ${params.maxTokens} tokens${params.tools ? `, ${params.tools.length} tools` : ''}`;
}

/** What an elicitation asks for, in one safe line: its message and its fields, or its URL. */
export function describeElicitation(params: ElicitParams): string {
  const message = oneLine(terminalSafe(params.message), 120);
  if (params.mode === 'url') return `you to open ${oneLine(terminalSafe(params.url), 200)} ("${message}")`;
  const fields = Object.keys(params.requestedSchema.properties);
  return `input: "${message}" (fields: ${fields.map((f) => oneLine(terminalSafe(f), 40)).join(', ') || 'none'})`;
}
