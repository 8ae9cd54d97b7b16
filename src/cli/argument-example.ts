/**
 * A usage hint built from a tool's own input schema: which arguments it requires, and
 * an example `switchboard call` line with a placeholder for each required one.
 */
export function argumentHint(command: string, parameters: Record<string, unknown>): string {
  const properties = isRecord(parameters.properties) ? parameters.properties : {};
  const required = Array.isArray(parameters.required) ? parameters.required.filter((name): name is string => typeof name === 'string') : [];
  const typeOf = (name: string) => {
    const schema = properties[name];
    const type = isRecord(schema) ? schema.type : undefined;
    return typeof type === 'string' ? type : Array.isArray(type) ? type.join('|') : 'any';
  };
  const example = Object.fromEntries(required.map((name) => [name, placeholder(typeOf(name))]));
  const optional = Object.keys(properties).filter((name) => !required.includes(name));
  const described = (names: string[]) => names.map((name) => `${name} (${typeOf(name)})`).join(', ');
  const parts = [
    required.length > 0 ? `Required: ${described(required)}.` : 'No argument is required.',
    optional.length > 0 ? `Optional: ${described(optional)}.` : '',
    `Example: ${command} '${JSON.stringify(example)}'`,
  ];
  return parts.filter(Boolean).join(' ');
}

function placeholder(type: string): unknown {
  switch (type.split('|')[0]) {
    case 'string': return '...';
    case 'number':
    case 'integer': return 0;
    case 'boolean': return false;
    case 'array': return [];
    case 'object': return {};
    default: return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
