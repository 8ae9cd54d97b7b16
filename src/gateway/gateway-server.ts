/**
 * The gateway's MCP server: one SDK `Server` per client connection (stdio: one; Streamable
 * HTTP: one per session), all in front of the same ToolHub.
 *
 * Contract:
 * - tools/list: the hub's routes the policy does not deny, under their exposed names
 *   (tool-listing.ts). Not paged: the hub holds at most MAX_TOOLS_PER_SERVER per server.
 * - tools/call: routed by the hub to the owning server (its timeouts, restarts, argument
 *   checks and output-schema checks apply). The server's result is passed on as it came; when
 *   the hub had no result (bad arguments, timeout, crash, server down) or judged it broken
 *   (structured content against its output schema), the hub's explanation is the result, with
 *   `isError`. A call the policy refuses never reaches the server (an `isError` result).
 * - Progress: when the client's request carries a progress token, the upstream server's
 *   `notifications/progress` for that call are sent back under the client's token.
 * - Cancellation: the client's `notifications/cancelled` aborts the handler's signal, which
 *   aborts the upstream call, so the upstream server gets `notifications/cancelled` too.
 * - Resources and prompts: see resources-prompts.ts.
 * - `notifications/tools/list_changed` is sent when the listing the client would get changes
 *   (an upstream server's list_changed, a restart), as `tools.listChanged` promises.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { ToolHub } from '../mcp/hub.js';
import type { ApprovalPolicy } from '../policy/approval.js';
import { VERSION } from '../version.js';
import { registerResourcesAndPrompts, resourceAndPromptCapabilities } from './resources-prompts.js';
import { listedTools, refusal, verdictFor } from './tool-listing.js';

export interface GatewayContext {
  hub: ToolHub;
  policy: ApprovalPolicy;
  /** `server/tool` of the tools present when the gateway started (later ones are "unseen"). */
  known: ReadonlySet<string>;
  /** Bound on each upstream request that is not a tool call (resources, prompts): the tool timeout. */
  timeoutMs: number;
  /** Host messages (stderr): never stdout, which carries the protocol in stdio mode. */
  log(message: string): void;
}

/** Longest tool name quoted back in an error (the client may send any text as a name). */
const QUOTED_NAME_MAX = 100;

/** Tools always; resources and prompts when a running upstream server offers them (resources-prompts.ts). */
export function gatewayCapabilities(context: GatewayContext): ServerCapabilities {
  return { tools: { listChanged: true }, ...resourceAndPromptCapabilities(context) };
}

export interface GatewayServer {
  server: Server;
  /** Call after the hub rebuilt its routes: notifies the client when its listing differs. */
  toolsMayHaveChanged(): void;
}

/**
 * A new Server for one client connection. Returns it with `toolsMayHaveChanged`, to call
 * after the hub rebuilt its routes: it notifies the client when its listing differs.
 */
export function createGatewayServer(context: GatewayContext): GatewayServer {
  const { hub, policy, known } = context;
  const capabilities = gatewayCapabilities(context);
  const server = new Server(
    { name: 'switchboard', version: VERSION },
    {
      capabilities,
      instructions: 'Switchboard MCP gateway: the tools, resources and prompts of every server in the Switchboard config, under one name each, with its permissions applied.',
    },
  );
  const listing = () => listedTools(hub.routes, policy, known);
  let lastListed = JSON.stringify(listing());

  server.setRequestHandler(ListToolsRequestSchema, () => {
    const tools = listing();
    lastListed = JSON.stringify(tools);
    return { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const route = hub.routes.get(name);
    if (!route || verdictFor(policy, route, known).permission === 'deny') {
      // A denied tool is not listed: calling it is like calling a tool that does not exist.
      const quoted = name.length > QUOTED_NAME_MAX ? `${name.slice(0, QUOTED_NAME_MAX)}…` : name;
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${quoted}`);
    }
    const denied = refusal(policy, route, known);
    if (denied) return { content: [{ type: 'text', text: denied }], isError: true };
    const progressToken = extra._meta?.progressToken;
    const onProgress =
      progressToken === undefined
        ? undefined
        : (update: { progress: number; total?: number; message?: string }) => {
            void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, ...update } }).catch(() => undefined);
          };
    const outcome = await hub.call(name, request.params.arguments ?? {}, extra.signal, onProgress);
    // The server's own result, unless the hub found it broken (then isError differs) or had none.
    if (outcome.result && outcome.isError === Boolean(outcome.result.isError)) return outcome.result as CallToolResult;
    return { content: [{ type: 'text', text: outcome.text }], isError: true };
  });

  registerResourcesAndPrompts(server, context, capabilities);

  return {
    server,
    toolsMayHaveChanged() {
      const now = JSON.stringify(listing());
      if (now === lastListed) return;
      lastListed = now;
      server.sendToolListChanged().catch((error: unknown) => context.log(`switchboard: could not tell the client the tools changed: ${(error as Error).message}`));
    },
  };
}
