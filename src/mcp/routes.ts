/**
 * The route table: exposed name -> owning server, original name, and the function
 * schema sent to the model. Built in one go from every ready server's tools and
 * swapped whole (never edited in place), so a call that already looked up its route
 * finishes against it even when a server's tool list changes meanwhile.
 */
import type { FunctionTool } from '../llm/model.js';
import { matchesGlob } from '../policy/glob.js';
import { ArgumentValidator } from './arguments.js';
import { assignExposedNames, toolIdentity } from './naming.js';
import { toFunctionTool, type McpToolDefinition } from './schema.js';

export interface ToolRoute {
  exposedName: string;
  server: string;
  originalName: string;
  definition: McpToolDefinition;
  functionTool: FunctionTool;
}

export interface RouteTable {
  readonly routes: ReadonlyMap<string, ToolRoute>;
  /** In config order, then server list order: the order the model sees. */
  readonly functionTools: readonly FunctionTool[];
  /** Tools left out, with why (e.g. an inputSchema that is not an object). */
  readonly skipped: ReadonlyArray<{ server: string; tool: string; reason: string }>;
  /** Tools the config's `"tools": {"include", "exclude"}` keeps from the model, in server order. */
  readonly filtered: ReadonlyArray<{ server: string; tool: string }>;
  /** Checks arguments against this table's schemas (compiled lazily, freed with the table). */
  readonly validator: ArgumentValidator;
}

/**
 * `offered` maps every exposed name given earlier in the session to its tool's identity
 * (see naming.ts); names given by this table are added to it.
 */
export function buildRouteTable(
  servers: ReadonlyArray<{ name: string; tools: readonly McpToolDefinition[]; filter?: ToolFilter }>,
  offered: Map<string, string> = new Map(),
): RouteTable {
  const usable: Array<{ server: string; originalName: string; definition: McpToolDefinition; tool: FunctionTool }> = [];
  const skipped: Array<{ server: string; tool: string; reason: string }> = [];
  const filtered: Array<{ server: string; tool: string }> = [];
  for (const server of servers) {
    const seen = new Set<string>();
    for (const definition of server.tools) {
      if (server.filter && !passesFilter(definition.name, server.filter)) {
        filtered.push({ server: server.name, tool: definition.name });
        continue;
      }
      if (seen.has(definition.name)) {
        skipped.push({ server: server.name, tool: definition.name, reason: 'the server lists this name twice' });
        continue;
      }
      seen.add(definition.name);
      // Converted before naming, so a skipped tool cannot cause a collision; named below.
      const conversion = toFunctionTool(definition.name, definition);
      if (!conversion.ok) skipped.push({ server: server.name, tool: definition.name, reason: conversion.reason });
      else usable.push({ server: server.name, originalName: definition.name, definition, tool: conversion.tool });
    }
  }
  const named = assignExposedNames(usable, offered);
  const routes = new Map<string, ToolRoute>();
  const functionTools: FunctionTool[] = [];
  named.forEach((route, i) => {
    const { definition, tool } = usable[i]!;
    const functionTool: FunctionTool = { ...tool, function: { ...tool.function, name: route.exposedName } };
    routes.set(route.exposedName, { exposedName: route.exposedName, server: route.server, originalName: route.originalName, definition, functionTool });
    functionTools.push(functionTool);
    offered.set(route.exposedName, toolIdentity(route));
  });
  return { routes, functionTools, skipped, filtered, validator: new ArgumentValidator() };
}

/** A server entry's `"tools"` filter: globs over original tool names. */
export interface ToolFilter {
  /** When given, only tools matching one of these are offered. */
  include?: readonly string[];
  /** Tools matching one of these are never offered (wins over `include`). */
  exclude?: readonly string[];
}

export function passesFilter(tool: string, filter: ToolFilter): boolean {
  if (filter.include && !filter.include.some((glob) => matchesGlob(tool, glob))) return false;
  return !(filter.exclude ?? []).some((glob) => matchesGlob(tool, glob));
}

export const EMPTY_ROUTE_TABLE: RouteTable = { routes: new Map(), functionTools: [], skipped: [], filtered: [], validator: new ArgumentValidator() };
