/**
 * MCP tool -> chat-completion function tool.
 *
 * The tool's inputSchema is kept as it is, minus what model APIs reject (`$schema`),
 * and it is always an object schema with `properties`. A tool whose inputSchema is
 * not an object schema cannot be offered to a model: `toFunctionTool` says so and the
 * hub leaves that tool out with a warning. A tool that can only run as a task
 * (`execution.taskSupport: "required"`) is offered like any other: the connection calls it
 * through the SDK's task API. Nor is a tool whose definition nests deeper than MAX_JSON_DEPTH: serialising it for the
 * model (or `tools --json`) would overflow the stack.
 */
import type { FunctionTool } from '../llm/model.js';
import { MAX_JSON_DEPTH, valueDepthExceeds } from './json-depth.js';

/** The fields of an MCP tool definition this module reads. */
export interface McpToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  /** When present, `structuredContent` of a result must match it (checked by the hub). */
  outputSchema?: unknown;
  annotations?: { title?: string } & Record<string, unknown>;
  /** `taskSupport: "required"` means the tool can only be called as a task. */
  execution?: { taskSupport?: unknown } & Record<string, unknown>;
}

export type Conversion = { ok: true; tool: FunctionTool } | { ok: false; reason: string };

export function toFunctionTool(exposedName: string, tool: McpToolDefinition): Conversion {
  if (valueDepthExceeds(tool, MAX_JSON_DEPTH)) {
    const where = valueDepthExceeds(tool.inputSchema, MAX_JSON_DEPTH - 1) ? 'its inputSchema' : 'its definition';
    return { ok: false, reason: `${where} nests more than ${MAX_JSON_DEPTH} levels deep, more than Switchboard can safely send to a model` };
  }
  const parameters = toParameters(tool.inputSchema);
  if (!parameters.ok) return parameters;
  const description = tool.description?.trim() || tool.title?.trim() || tool.annotations?.title?.trim();
  return {
    ok: true,
    tool: {
      type: 'function',
      function: { name: exposedName, ...(description ? { description } : {}), parameters: parameters.schema },
    },
  };
}

function toParameters(schema: unknown): { ok: true; schema: Record<string, unknown> } | { ok: false; reason: string } {
  if (schema === undefined || schema === null) return { ok: true, schema: { type: 'object', properties: {} } };
  if (typeof schema !== 'object' || Array.isArray(schema)) {
    return { ok: false, reason: 'its inputSchema is not a JSON object' };
  }
  const { $schema: _dropped, ...rest } = schema as Record<string, unknown>;
  if (rest.type !== undefined && rest.type !== 'object') {
    return { ok: false, reason: `its inputSchema has type ${JSON.stringify(rest.type)}; tools need an object schema` };
  }
  const properties = rest.properties;
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
    return { ok: false, reason: 'its inputSchema.properties is not an object' };
  }
  return { ok: true, schema: { ...rest, type: 'object', properties: properties ?? {} } };
}
