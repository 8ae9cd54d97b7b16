/**
 * One server's doctor report, from a hub that has had its start: what the connection learnt
 * in initialize, its counts, and what the route table made of its tools. The hub is the same
 * one `chat` uses, so renamed and left-out tools are exactly what a chat would see.
 */
import type { ServerSpec } from '../config/schema.js';
import type { UnsetVariable } from '../config/load.js';
import type { ToolHub } from '../mcp/hub.js';
import type { ServerConnection } from '../mcp/connection.js';
import type { ServerStartError } from '../mcp/server-errors.js';
// The same check `tools` shows under its table (a pure function; ui/ owns the wording).
import { hiddenWarnings } from '../ui/tool-table.js';
import { renameReason } from './renames.js';
import { TOKEN_BUDGET, type ServerReport } from './report.js';
import { schemaSmells } from './schema-smells.js';
import { estimateSchemaTokens } from './tokens.js';

export interface InspectContext {
  hub: ToolHub;
  startupTimeoutMs: number;
  /** Start failures by server name. */
  failures: ReadonlyMap<string, ServerStartError>;
  /** Tools the route table left out, and notices, by server name (collected from the hub's observer). */
  skipped: ReadonlyMap<string, Array<{ tool: string; reason: string }>>;
  notices: ReadonlyMap<string, string[]>;
  /** Masks secrets in text shown (command lines, stderr). */
  redact(text: string): string;
}

/** A server doctor started (or tried to). */
export async function inspectServer(connection: ServerConnection, context: InspectContext): Promise<ServerReport> {
  const { hub, redact } = context;
  const base = baseReport(connection.spec, redact);
  base.notices = (context.notices.get(connection.name) ?? []).map(redact);
  const failure = context.failures.get(connection.name);
  if (failure) return { ...base, ok: false, status: 'failed', problem: redact(failure.message) };
  const description = connection.description;
  const routes = [...hub.routes.values()];
  const own = routes.filter((route) => route.server === connection.name);
  const count = async (method: Parameters<ServerConnection['countListed']>[0]): Promise<number | undefined> => {
    try {
      return await connection.countListed(method);
    } catch (error) {
      base.notices.push(redact(`${method} failed: ${(error as Error).message}`));
      return undefined;
    }
  };
  const [resources, resourceTemplates, prompts] = [await count('resources/list'), await count('resources/templates/list'), await count('prompts/list')];
  const schemaTokens = estimateSchemaTokens(own.map((route) => route.functionTool));
  return {
    ...base,
    ok: true,
    status: 'ready',
    ...(description
      ? {
          initMs: description.initMs,
          slow: description.initMs > context.startupTimeoutMs / 2,
          ...(description.protocolVersion ? { protocolVersion: description.protocolVersion } : {}),
          ...(description.serverInfo ? { serverInfo: { name: description.serverInfo.name, version: description.serverInfo.version } } : {}),
          capabilities: Object.keys(description.capabilities).sort(),
        }
      : {}),
    counts: {
      tools: connection.toolCount,
      ...(resources !== undefined ? { resources } : {}),
      ...(resourceTemplates !== undefined ? { resourceTemplates } : {}),
      ...(prompts !== undefined ? { prompts } : {}),
    },
    renamed: own.filter((route) => route.exposedName !== route.originalName).map((route) => ({ tool: route.originalName, exposedName: route.exposedName, reason: renameReason(route, routes) })),
    leftOut: context.skipped.get(connection.name) ?? [],
    filtered: hub.filteredTools.filter((f) => f.server === connection.name).map((f) => f.tool),
    hidden: own.flatMap((route) => hiddenWarnings(route).map((warning) => ({ tool: route.originalName, warning }))),
    smells: own.flatMap((route) => schemaSmells(route.definition.inputSchema).map((smell) => ({ tool: route.originalName, smell }))),
    schemaTokens,
    overTokenBudget: schemaTokens > TOKEN_BUDGET,
  };
}

/** A server doctor did not start: its config uses variables without a value. */
export function unsetReport(spec: ServerSpec, unset: readonly UnsetVariable[], redact: (text: string) => string): ServerReport {
  const names = [...new Set(unset.map((u) => u.name))];
  return {
    ...baseReport(spec, redact),
    ok: false,
    status: 'not_started',
    problem: `not started: ${names.length === 1 ? 'the variable' : 'the variables'} ${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} no value`,
    unsetVariables: unset.map((u) => ({ name: u.name, field: u.path, message: u.message })),
  };
}

/** The unset variables that belong to one server entry (their field is under it). */
export function unsetOf(spec: ServerSpec, unset: readonly UnsetVariable[]): UnsetVariable[] {
  return unset.filter((u) => u.path.startsWith(`mcpServers.${spec.name}.`) || u.path.startsWith(`servers.${spec.name}.`));
}

function baseReport(spec: ServerSpec, redact: (text: string) => string): ServerReport {
  const command = [spec.command, ...spec.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');
  return {
    name: spec.name,
    ok: true,
    status: 'ready',
    transport: spec.transport,
    ...(spec.transport === 'stdio' ? { command: redact(command) } : {}),
    ...(spec.url !== undefined ? { url: redact(spec.url), auth: 'not checked (remote servers are not supported yet)' } : {}),
    capabilities: [],
    counts: { tools: 0 },
    renamed: [],
    leftOut: [],
    filtered: [],
    hidden: [],
    smells: [],
    schemaTokens: 0,
    overTokenBudget: false,
    unsetVariables: [],
    notices: [],
  };
}
