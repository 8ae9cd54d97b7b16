/**
 * What the host offers servers beyond tools: the client capabilities it declares and the
 * handlers for the requests a server may send back (`sampling/createMessage`,
 * `elicitation/create`, and `notifications/elicitation/complete` for URL-mode elicitation).
 *
 * Contract: the host decides (policy, prompts, the model) in `ClientRequestHandlers`, which
 * the CLI provides; this module only wires them to an SDK client, naming the server. A
 * capability is declared only when its handler is given, so a hub built without handlers
 * (tests, `doctor`) looks to servers exactly as before.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';

export type SamplingParams = CreateMessageRequest['params'];
export type ElicitParams = ElicitRequest['params'];

export interface ClientRequestHandlers {
  /** A server asks for a completion from the host's model. Throw to refuse (the server reads the error). */
  sampling?(server: string, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult | CreateMessageResultWithTools>;
  /**
   * A server asks the user for input. For URL mode, `completed` resolves when the server sends
   * `notifications/elicitation/complete` for this request's `elicitationId` (which may come
   * after the answer: the answer must not wait for it).
   */
  elicitation?(server: string, params: ElicitParams, signal: AbortSignal, completed: Promise<void>): Promise<ElicitResult>;
}

/** The capabilities to declare in `initialize` for these handlers. */
export function clientCapabilities(handlers: ClientRequestHandlers | undefined): ClientCapabilities {
  return {
    // `tools`: the server may pass tools for the model to call (2025-11-25).
    ...(handlers?.sampling ? { sampling: { tools: {} } } : {}),
    ...(handlers?.elicitation ? { elicitation: { form: {}, url: {} } } : {}),
  };
}

/** Registers the request handlers on a client created with `clientCapabilities(handlers)`. */
export function installClientFeatures(client: Client, server: string, handlers: ClientRequestHandlers | undefined): void {
  const sampling = handlers?.sampling;
  if (sampling) client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => sampling(server, request.params, extra.signal));
  const elicitation = handlers?.elicitation;
  if (!elicitation) return;
  // URL-mode requests whose completion notification has not come yet, by elicitationId. The
  // answer (accept) goes back at once; the notification may come long after it, or never:
  // the oldest entries are dropped past a bound.
  const waiting = new Map<string, () => void>();
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
    const id = notification.params.elicitationId;
    waiting.get(id)?.();
    waiting.delete(id);
  });
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    const params = request.params;
    const id = 'elicitationId' in params ? params.elicitationId : undefined;
    const completed = new Promise<void>((resolve) => {
      if (id === undefined) return;
      waiting.set(id, resolve);
      if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value!);
    });
    return elicitation(server, params, extra.signal, completed);
  });
}

const MAX_WAITING = 100;
