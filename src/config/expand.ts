/**
 * `${env:VAR}` and `${VAR}` expansion over every string of a parsed config file.
 *
 * Expansion runs on the raw JSON before validation, so a variable can stand in any
 * field (a token in `env`, a path in `args`, the model name). Every occurrence in a
 * string is replaced. A variable that is not set is an error naming the variable and
 * the field; all such errors are collected and reported together.
 */

const PLACEHOLDER = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ExpansionProblem {
  path: string;
  variable: string;
}

export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; problems: ExpansionProblem[] } {
  const problems: ExpansionProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        const replacement = env[name];
        if (replacement === undefined) {
          problems.push({ path: formatPath(path), variable: name });
          return whole;
        }
        return replacement;
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), problems };
}

/** `["mcpServers", "fs", "args", 0]` -> `mcpServers.fs.args[0]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}
