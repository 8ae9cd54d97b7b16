/**
 * The bundled temperature server, run from dist/ as a real child process and
 * driven through the MCP SDK client over stdio.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPERATURE_SERVER_PATH } from '../support/paths.js';

let client: Client;

async function call(args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name: 'get_temperature', arguments: args })) as CallToolResult;
}

function text(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

beforeAll(async () => {
  client = new Client({ name: 'temperature-test', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [TEMPERATURE_SERVER_PATH], stderr: 'pipe' }),
  );
});

afterAll(async () => {
  await client?.close();
});

describe('temperature server', () => {
  it('identifies itself', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'temperature', version: '0.1.0' });
  });

  it('lists get_temperature with its schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['get_temperature']);
    const tool = tools[0]!;
    expect(tool.title).toBeTruthy();
    expect(tool.description).toBeTruthy();
    const schema = tool.inputSchema as {
      type: string;
      required?: string[];
      properties: Record<string, { type?: string; description?: string; enum?: string[]; default?: unknown }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['city']);
    expect(schema.properties.city).toMatchObject({ type: 'string' });
    expect(schema.properties.city!.description).toBeTruthy();
    expect(schema.properties.unit).toMatchObject({ enum: ['fahrenheit', 'celsius'], default: 'fahrenheit' });
    expect(schema.properties.unit!.description).toBeTruthy();
    expect(tool.outputSchema).toBeDefined();
  });

  it.each([
    ['San Francisco', 'San Francisco', 72],
    ['Paris', 'Paris', 75],
    ['Tokyo', 'Tokyo', 73],
    ['Reykjavik', 'Reykjavik', 70],
    ['  paris  ', 'Paris', 75],
    ['TOKYO', 'Tokyo', 73],
  ])('reports the temperature for %j', async (city, name, temperature) => {
    const result = await call({ city });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe(`The temperature in ${name} is ${temperature} °F.`);
    expect(result.structuredContent).toEqual({ city: name, temperature, unit: 'fahrenheit' });
  });

  it('converts to Celsius on request', async () => {
    const result = await call({ city: 'Paris', unit: 'celsius' });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('The temperature in Paris is 23.9 °C.');
    expect(result.structuredContent).toEqual({ city: 'Paris', temperature: 23.9, unit: 'celsius' });
  });

  it.each([[''], ['   ']])('returns an isError result for city %j and keeps serving', async (city) => {
    const result = await call({ city });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/non-empty/);
    const next = await call({ city: 'Tokyo' });
    expect(next.isError).toBeFalsy();
    expect(text(next)).toBe('The temperature in Tokyo is 73 °F.');
  });

  it('returns an isError result when city is missing', async () => {
    const result = await call({});
    expect(result.isError).toBe(true);
  });
});
