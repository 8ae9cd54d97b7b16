/**
 * The bundled `temperature` MCP server: one tool, `get_temperature`, with fixed
 * demo values. Standalone: imports nothing from src/.
 *
 * Contract of `get_temperature`:
 * - Input: `city` (string, required), `unit` ("fahrenheit" | "celsius", default "fahrenheit").
 * - San Francisco 72 °F, Paris 75 °F, Tokyo 73 °F, any other city 70 °F. Matching
 *   ignores case and surrounding whitespace; known cities are reported under their
 *   canonical name, others as given (trimmed).
 * - Celsius is (F - 32) * 5 / 9, rounded to one decimal.
 * - Success: text "The temperature in Paris is 75 °F." plus structuredContent
 *   `{ city, temperature, unit }` (declared by an outputSchema).
 * - An empty or whitespace-only city yields a tool result with `isError: true`
 *   (not a protocol error), so the model can read the message and retry.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export type TemperatureUnit = 'fahrenheit' | 'celsius';

export const SERVER_NAME = 'temperature';
export const SERVER_VERSION = '0.1.0';

/** Known cities, keyed by lower-case name, with their canonical name and °F value. */
const KNOWN_CITIES: ReadonlyMap<string, { name: string; fahrenheit: number }> = new Map([
  ['san francisco', { name: 'San Francisco', fahrenheit: 72 }],
  ['paris', { name: 'Paris', fahrenheit: 75 }],
  ['tokyo', { name: 'Tokyo', fahrenheit: 73 }],
]);
const DEFAULT_FAHRENHEIT = 70;

/** Canonical display name: the known city's name, else the input trimmed. */
export function cityName(city: string): string {
  const trimmed = city.trim();
  return KNOWN_CITIES.get(trimmed.toLowerCase())?.name ?? trimmed;
}

/** The temperature for `city` in `unit`. Pure; does not reject empty cities (the tool does). */
export function temperatureFor(city: string, unit: TemperatureUnit = 'fahrenheit'): number {
  const f = KNOWN_CITIES.get(city.trim().toLowerCase())?.fahrenheit ?? DEFAULT_FAHRENHEIT;
  if (unit === 'fahrenheit') return f;
  return Math.round(((f - 32) * 5) / 9 * 10) / 10;
}

/** "°F" or "°C". */
export function unitSymbol(unit: TemperatureUnit): string {
  return unit === 'celsius' ? '°C' : '°F';
}

export function createTemperatureServer(): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION });

  server.registerTool(
    'get_temperature',
    {
      title: 'Get temperature',
      description:
        'Get the current temperature in a city. Returns the temperature in Fahrenheit unless celsius is requested.',
      inputSchema: {
        // No .min(1): an empty city must be a tool error result, checked in the handler.
        city: z.string().describe('Name of the city, for example "San Francisco" or "Paris".'),
        unit: z
          .enum(['fahrenheit', 'celsius'])
          .default('fahrenheit')
          .describe('Temperature unit of the result: "fahrenheit" (default) or "celsius".'),
      },
      outputSchema: {
        city: z.string().describe('The city, as recognised.'),
        temperature: z.number().describe('The temperature in the requested unit.'),
        unit: z.enum(['fahrenheit', 'celsius']).describe('Unit of `temperature`.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ city, unit }): Promise<CallToolResult> => {
      if (city.trim() === '') {
        return {
          content: [{ type: 'text', text: 'Invalid city: city must be a non-empty string, for example "Paris".' }],
          isError: true,
        };
      }
      const name = cityName(city);
      const temperature = temperatureFor(city, unit);
      return {
        content: [{ type: 'text', text: `The temperature in ${name} is ${temperature} ${unitSymbol(unit)}.` }],
        structuredContent: { city: name, temperature, unit },
      };
    },
  );

  return server;
}
