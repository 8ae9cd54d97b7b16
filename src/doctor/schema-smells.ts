/**
 * Input-schema features that Switchboard passes on but some model providers reject or
 * ignore: `$schema` (stripped by Switchboard, rejected by some APIs), an object schema
 * without `properties` (Switchboard adds an empty one), `$ref` (not resolved by several
 * providers, e.g. Gemini), and `format` values outside the few providers accept.
 * Pure; bounded (depth and node count), since schemas come from servers.
 */

/** The string formats OpenAI's structured outputs accept (others are rejected or ignored elsewhere too). */
const ACCEPTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'uri']);
const MAX_DEPTH = 64;
const MAX_NODES = 10_000;

export function schemaSmells(inputSchema: unknown): string[] {
  if (typeof inputSchema !== 'object' || inputSchema === null || Array.isArray(inputSchema)) return [];
  const top = inputSchema as Record<string, unknown>;
  const smells: string[] = [];
  if ('$schema' in top) smells.push('declares "$schema" (Switchboard removes it; some providers reject it)');
  if (top.properties === undefined) smells.push('has no "properties" (Switchboard adds an empty one; some providers reject an object schema without it)');
  let refs = 0;
  const formats = new Set<string>();
  let nodes = 0;
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || ++nodes > MAX_NODES || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const object = node as Record<string, unknown>;
    if (typeof object.$ref === 'string') refs++;
    if (typeof object.format === 'string' && !ACCEPTED_FORMATS.has(object.format)) formats.add(object.format);
    for (const [key, value] of Object.entries(object)) if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') walk(value, depth + 1);
  };
  walk(top, 0);
  if (refs > 0) smells.push(`uses "$ref" (${refs}x; several providers, e.g. Gemini, do not resolve references)`);
  for (const format of formats) smells.push(`uses format ${JSON.stringify(format)} (providers accept only a few formats: ${[...ACCEPTED_FORMATS].join(', ')})`);
  return smells;
}
