/**
 * The host's answers to what servers ask of it (client-features.ts): sampling with the run's
 * model, elicitation from the user. Policy:
 * - Sampling: a server with `"sampling": "allow"` is served; `"deny"` is refused; otherwise
 *   (`ask`, the default) the user approves each request in a terminal (once / always for this
 *   server / deny), and without a terminal it is refused. A command without a model
 *   (`tools`, `call`, `resources`...) refuses every request, saying so.
 * - Elicitation: in a terminal the user answers the form (or consents to open a URL); without
 *   one the config's `elicitation` answer (`decline`, the default, or `cancel`) is given, or
 *   with `defaults` a form is accepted with its schema's defaults when every required field
 *   has one (a URL request is still declined: no page opens without consent).
 * Every refusal is told to the user (a notice naming the server and what it asked for) and to
 * the server (an error, or the decline, which the tool passes on to the model).
 */
import { type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { ServerSpec } from '../config/schema.js';
import type { ChatModel } from '../llm/model.js';
import type { ClientRequestHandlers, ElicitParams, SamplingParams } from '../mcp/client-features.js';
import { oneLine } from '../ui/style.js';
import { terminalSafe } from '../ui/sanitize.js';
import type { SamplingAnswer } from '../ui/server-requests-prompt.js';

export interface ClientRequestOptions {
  model?: ChatModel;
  servers: readonly ServerSpec[];
  /** The answer to an elicitation when the user cannot be asked (`defaults`: accept with the schema's defaults, when they cover every required field). */
  elicitation: 'decline' | 'cancel' | 'defaults';
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
        const { askSamplingApproval } = await import('../ui/server-requests-prompt.js');
        const answer: SamplingAnswer = await askSamplingApproval(server, params, signal);
        if (answer === 'deny') refuse('the user denied it');
        if (answer === 'always') alwaysAllowed.add(server);
      }
      // Loaded at the first request (as the questions are): most servers never ask.
      const { serveSampling } = await import('../agent/sampling.js');
      const { result, reply } = await serveSampling(options.model!, params, signal);
      if (reply.usage) options.usage?.(server, reply.usage);
      return result;
    },
    async elicitation(server, params, signal, completed): Promise<ElicitResult> {
      if (!options.interactive) {
        const defaults = options.elicitation === 'defaults' ? schemaDefaults(params) : undefined;
        if (defaults) {
          options.notice(server, `server "${server}" asked for ${describeElicitation(params)}; accepted with the schema's defaults (the config says "elicitation": "defaults" and there is no terminal to ask on)`);
          return { action: 'accept', content: defaults };
        }
        const action = options.elicitation === 'cancel' ? 'cancel' : 'decline';
        const why = options.elicitation === 'defaults' ? (params.mode === 'url' ? 'a web page is never opened without asking' : 'a required field has no default') : 'there is no terminal to ask on';
        options.notice(
          server,
          `server "${server}" asked for ${describeElicitation(params)}; ${action === 'decline' ? 'declined' : 'cancelled'}: ${why} (the config's "elicitation" sets the answer without a terminal: "decline", "cancel" or "defaults")`,
        );
        return { action };
      }
      const { askElicitation } = await import('../ui/server-requests-prompt.js');
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

/**
 * A form request's answer from its schema's defaults alone: every field that has a default
 * (of its field's type), or undefined when a required field has none (or it is a URL request).
 */
export function schemaDefaults(params: ElicitParams): Record<string, string | number | boolean | string[]> | undefined {
  if (params.mode === 'url') return undefined;
  const content: Record<string, string | number | boolean | string[]> = {};
  for (const [name, field] of Object.entries(params.requestedSchema.properties)) {
    const value = (field as { default?: unknown }).default;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') content[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) content[name] = value as string[];
  }
  const required = params.requestedSchema.required ?? [];
  return required.every((name) => Object.hasOwn(content, name)) ? content : undefined;
}
