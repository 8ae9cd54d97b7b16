/**
 * The route table: exposed name -> owning server, original name, and the function
 * schema sent to the model. Built in one go from every ready server's tools and
 * swapped whole (never edited in place), so a call that already looked up its route
 * finishes against it even when a server's tool list changes meanwhile.
 */
import type { FunctionTool } from '../llm/model.js';
import { assignExposedNames } from './naming.js';
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
}

export function buildRouteTable(servers: ReadonlyArray<{ name: string; tools: readonly McpToolDefinition[] }>): RouteTable {
  const usable: Array<{ server: string; originalName: string; definition: McpToolDefinition }> = [];
  const skipped: Array<{ server: string; tool: string; reason: string }> = [];
  for (const server of servers) {
    const seen = new Set<string>();
    for (const definition of server.tools) {
      if (seen.has(definition.name)) {
        skipped.push({ server: server.name, tool: definition.name, reason: 'the server lists this name twice' });
        continue;
      }
      seen.add(definition.name);
      // Check convertibility before naming, so a skipped tool cannot cause a collision.
      const probe = toFunctionTool('probe', definition);
      if (!probe.ok) skipped.push({ server: server.name, tool: definition.name, reason: probe.reason });
      else usable.push({ server: server.name, originalName: definition.name, definition });
    }
  }
  const named = assignExposedNames(usable);
  const routes = new Map<string, ToolRoute>();
  const functionTools: FunctionTool[] = [];
  named.forEach((route, i) => {
    const definition = usable[i]!.definition;
    const conversion = toFunctionTool(route.exposedName, definition);
    if (!conversion.ok) return; // unreachable: probed above
    routes.set(route.exposedName, { ...route, definition, functionTool: conversion.tool });
    functionTools.push(conversion.tool);
  });
  return { routes, functionTools, skipped };
}

export const EMPTY_ROUTE_TABLE: RouteTable = { routes: new Map(), functionTools: [], skipped: [] };
