/**
 * The gateway's view of the route table (src/gateway/tool-listing.ts): which tools are
 * listed, how their definitions pass through, and which calls are refused.
 */
import { describe, expect, it } from 'vitest';
import { exposedTool, listedTools, refusal } from '../../src/gateway/tool-listing.js';
import { buildRouteTable } from '../../src/mcp/routes.js';
import type { ApprovalPolicy } from '../../src/policy/approval.js';

const routes = buildRouteTable([
  {
    name: 'weather',
    tools: [
      {
        name: 'forecast',
        title: 'Forecast',
        description: 'Tomorrow\'s weather. Call it with a city.',
        inputSchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { city: { type: 'string' } } },
        outputSchema: { type: 'object', properties: { sky: { type: 'string' } } },
        annotations: { readOnlyHint: true },
      },
      { name: 'echo', inputSchema: { type: 'object' } },
    ],
  },
  { name: 'files', tools: [{ name: 'echo', inputSchema: { type: 'object' } }, { name: 'delete_file', inputSchema: { type: 'object' } }] },
]).routes;

const policy = (over: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
  rules: { allow: [], ask: [], deny: [] },
  mode: 'auto',
  servers: new Map(),
  trusted: new Set(['weather']),
  ...over,
});

describe('gateway tool listing', () => {
  it('lists the exposed names (collisions as server__tool) and leaves denied tools out', () => {
    const names = listedTools(routes, policy({ rules: { allow: [], ask: [], deny: ['files/delete_file'] } })).map((tool) => tool.name);
    expect(names).toEqual(['forecast', 'weather__echo', 'files__echo']);
  });

  it('a server denied by its entry lists nothing', () => {
    const names = listedTools(routes, policy({ servers: new Map([['files', 'deny']]) })).map((tool) => tool.name);
    expect(names).toEqual(['forecast', 'weather__echo']);
  });

  it('passes the definition through: title, description as given, output schema, annotations; an object input schema', () => {
    const tool = exposedTool(routes.get('forecast')!);
    expect(tool).toEqual({
      name: 'forecast',
      title: 'Forecast',
      description: 'Tomorrow\'s weather. Call it with a city.',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      outputSchema: { type: 'object', properties: { sky: { type: 'string' } } },
      annotations: { readOnlyHint: true },
    });
    expect(exposedTool(routes.get('files__echo')!).inputSchema).toEqual({ type: 'object', properties: {} });
  });

  it('refuses what would ask (nobody to ask), names what would allow it; allows the rest', () => {
    expect(refusal(policy(), routes.get('forecast')!)).toBeUndefined(); // read-only, trusted server
    expect(refusal(policy(), routes.get('files__echo')!)).toMatch(/would ask before running files\/echo \(server "files" is not trusted\).*--allow "files\/echo" or --yes/);
    expect(refusal(policy({ mode: 'yes' }), routes.get('files__echo')!)).toBeUndefined();
    expect(refusal(policy({ rules: { allow: ['files/*'], ask: [], deny: [] } }), routes.get('files__echo')!)).toBeUndefined();
    expect(refusal(policy({ mode: 'yes', rules: { allow: [], ask: [], deny: ['files/*'] } }), routes.get('files__echo')!)).toMatch(/denies files\/echo/);
  });

  it('a tool that appeared after the start is asked about in mode auto, even read-only on a trusted server', () => {
    const known = new Set(['weather/echo']);
    expect(refusal(policy(), routes.get('forecast')!, known)).toMatch(/appeared during the session/);
    expect(refusal(policy({ mode: 'yes' }), routes.get('forecast')!, known)).toBeUndefined();
  });
});
