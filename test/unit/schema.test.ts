/** Unit tests of MCP tool -> function tool conversion (src/mcp/schema.ts) and the route table (src/mcp/routes.ts). */
import { describe, expect, it } from 'vitest';
import { buildRouteTable } from '../../src/mcp/routes.js';
import { toFunctionTool, type McpToolDefinition } from '../../src/mcp/schema.js';

function converted(tool: McpToolDefinition, exposedName = 'exposed') {
  const result = toFunctionTool(exposedName, tool);
  if (!result.ok) throw new Error(`expected a conversion, got: ${result.reason}`);
  return result.tool;
}

describe('toFunctionTool', () => {
  it('removes $schema and keeps every other keyword', () => {
    const inputSchema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'fahrenheit' },
        options: {
          type: 'object',
          properties: { precise: { type: 'boolean', default: false } },
          required: ['precise'],
        },
      },
      required: ['city'],
      additionalProperties: false,
    };
    const tool = converted({ name: 'get_temperature', description: 'Current temperature', inputSchema }, 'get_temperature');
    expect(tool).toEqual({
      type: 'function',
      function: {
        name: 'get_temperature',
        description: 'Current temperature',
        parameters: {
          type: 'object',
          properties: inputSchema.properties,
          required: ['city'],
          additionalProperties: false,
        },
      },
    });
    expect(tool.function.parameters).not.toHaveProperty('$schema');
  });

  it('does not modify the MCP definition it was given', () => {
    const inputSchema = { $schema: 'x', type: 'object', properties: { a: { type: 'string' } } };
    converted({ name: 't', inputSchema });
    expect(inputSchema.$schema).toBe('x');
  });

  it('uses the exposed name, not the original one', () => {
    expect(converted({ name: 'search', inputSchema: { type: 'object' } }, 'fs__search').function.name).toBe('fs__search');
  });

  it('turns a missing inputSchema into an empty object schema', () => {
    expect(converted({ name: 'ping' }).function.parameters).toEqual({ type: 'object', properties: {} });
  });

  it('adds empty properties to {type:"object"}', () => {
    expect(converted({ name: 'ping', inputSchema: { type: 'object' } }).function.parameters).toEqual({ type: 'object', properties: {} });
  });

  it('rejects a non-object schema with a reason', () => {
    const stringSchema = toFunctionTool('t', { name: 't', inputSchema: { type: 'string' } });
    expect(stringSchema.ok).toBe(false);
    if (!stringSchema.ok) expect(stringSchema.reason).toMatch(/string/);

    const arraySchema = toFunctionTool('t', { name: 't', inputSchema: [{ type: 'object' }] });
    expect(arraySchema.ok).toBe(false);
    if (!arraySchema.ok) expect(arraySchema.reason.length).toBeGreaterThan(0);

    const arrayType = toFunctionTool('t', { name: 't', inputSchema: { type: 'array', items: { type: 'string' } } });
    expect(arrayType.ok).toBe(false);
    if (!arrayType.ok) expect(arrayType.reason).toMatch(/array/);
  });

  it('rejects properties that are not an object', () => {
    const result = toFunctionTool('t', { name: 't', inputSchema: { type: 'object', properties: ['a', 'b'] } });
    expect(result.ok).toBe(false);
  });

  it('falls back from description to title to annotations.title', () => {
    expect(converted({ name: 't', description: 'Desc', title: 'Title', annotations: { title: 'Ann' } }).function.description).toBe('Desc');
    expect(converted({ name: 't', title: 'Title', annotations: { title: 'Ann' } }).function.description).toBe('Title');
    expect(converted({ name: 't', description: '   ', annotations: { title: 'Ann' } }).function.description).toBe('Ann');
    expect(converted({ name: 't' }).function).not.toHaveProperty('description');
  });
});

describe('buildRouteTable', () => {
  const objectSchema = { type: 'object', properties: {} };

  it('skips a tool with a bad schema and routes the server\'s other tools', () => {
    const table = buildRouteTable([
      {
        name: 'weird',
        tools: [
          { name: 'good', inputSchema: objectSchema },
          { name: 'bad', inputSchema: { type: 'string' } },
          { name: 'also_good' },
        ],
      },
    ]);
    expect(table.skipped).toHaveLength(1);
    expect(table.skipped[0]).toMatchObject({ server: 'weird', tool: 'bad' });
    expect(table.skipped[0]!.reason.length).toBeGreaterThan(0);
    expect([...table.routes.keys()]).toEqual(['good', 'also_good']);
    expect(table.functionTools.map((t) => t.function.name)).toEqual(['good', 'also_good']);
  });

  it('does not let a skipped tool cause a name collision', () => {
    const table = buildRouteTable([
      { name: 'a', tools: [{ name: 'search', inputSchema: { type: 'string' } }] },
      { name: 'b', tools: [{ name: 'search', inputSchema: objectSchema }] },
    ]);
    expect([...table.routes.keys()]).toEqual(['search']);
    expect(table.routes.get('search')).toMatchObject({ server: 'b', originalName: 'search' });
  });

  it('routes each prefixed name of a collision to its own server and original name', () => {
    const fsSearch = { name: 'search', description: 'search files', inputSchema: objectSchema };
    const webSearch = { name: 'search', description: 'search the web', inputSchema: objectSchema };
    const table = buildRouteTable([
      { name: 'fs', tools: [fsSearch, { name: 'read_file', inputSchema: objectSchema }] },
      { name: 'web', tools: [webSearch] },
    ]);
    expect(table.skipped).toEqual([]);
    expect(table.routes.get('fs__search')).toMatchObject({ exposedName: 'fs__search', server: 'fs', originalName: 'search', definition: fsSearch });
    expect(table.routes.get('web__search')).toMatchObject({ exposedName: 'web__search', server: 'web', originalName: 'search', definition: webSearch });
    expect(table.routes.get('read_file')).toMatchObject({ server: 'fs', originalName: 'read_file' });
    expect(table.routes.has('search')).toBe(false);
    expect(table.functionTools.map((t) => [t.function.name, t.function.description])).toEqual([
      ['fs__search', 'search files'],
      ['read_file', undefined],
      ['web__search', 'search the web'],
    ]);
  });

  it('skips the second copy of a name a server lists twice', () => {
    const table = buildRouteTable([{ name: 's', tools: [{ name: 'dup', description: 'first' }, { name: 'dup', description: 'second' }] }]);
    expect(table.routes.get('dup')?.definition.description).toBe('first');
    expect(table.skipped).toEqual([expect.objectContaining({ server: 's', tool: 'dup' })]);
  });
});

describe('toFunctionTool: nesting bound', () => {
  /** N object schemas nested through `properties.a` (JSON depth 2N+1), built without recursion. */
  function deepSchema(levels: number): Record<string, unknown> {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
    return schema;
  }

  it('keeps a schema nested within the bound', () => {
    expect(toFunctionTool('t', { name: 't', inputSchema: deepSchema(100) }).ok).toBe(true);
  });

  it('leaves out a tool whose inputSchema nests past 256 levels, with the reason', () => {
    const conversion = toFunctionTool('deep', { name: 'deep', inputSchema: deepSchema(5000) });
    expect(conversion).toEqual({ ok: false, reason: expect.stringMatching(/^its inputSchema nests more than 256 levels deep/) });
  });
});
