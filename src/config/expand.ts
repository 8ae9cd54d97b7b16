/**
 * Variable expansion over every string of a value (the loader passes only the fields that
 * need it: see `EXPANDED_SERVER_FIELDS` in load.ts).
 *
 * - `${env:VAR}` and `${VAR}`: the environment variable VAR.
 * - `${workspaceFolder}` and `${userHome}` (VS Code's): the config file's folder and the
 *   user's home folder, never environment variables of those names.
 * - `${input:ID}` (VS Code's prompted inputs): a value the caller supplies (see inputs.ts).
 *
 * Expansion runs on the raw JSON before validation, so a variable can stand in any part of
 * an expanded field (a token in `env`, a path in `args`). Every occurrence in a string is
 * replaced. A variable without a value is a problem naming the variable and the field; all
 * such problems are collected and reported together.
 */

const PLACEHOLDER = /\$\{(?:(env|input):)?([A-Za-z_][A-Za-z0-9_]*|(?<=input:)[A-Za-z0-9_.-]+)\}/g;

export type VariableKind = 'env' | 'input' | 'builtin';

export interface VariableRef {
  kind: VariableKind;
  name: string;
}

export interface ExpansionProblem extends VariableRef {
  path: string;
}

/** The variables VS Code defines itself; `${name}` means these before the environment. */
export const BUILTIN_VARIABLES = ['workspaceFolder', 'userHome'] as const;

/** Replaces every placeholder `lookup` knows; the others are left as they are and reported. */
export function expandVariables(
  value: unknown,
  lookup: (ref: VariableRef) => string | undefined,
  /** Where `value` sits in the file, for the paths in problems. */
  at: (string | number)[] = [],
): { value: unknown; problems: ExpansionProblem[] } {
  const problems: ExpansionProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, prefix: string | undefined, name: string) => {
        const kind: VariableKind = prefix === 'input' ? 'input' : prefix === undefined && (BUILTIN_VARIABLES as readonly string[]).includes(name) ? 'builtin' : 'env';
        const replacement = lookup({ kind, name });
        if (replacement === undefined) {
          problems.push({ path: formatPath(path), kind, name });
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
  return { value: walk(value, at), problems };
}

/** `${env:VAR}` / `${VAR}` only, from `env` (kept for callers that expand environment variables alone). */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv): { value: unknown; problems: { path: string; variable: string }[] } {
  const { value: expanded, problems } = expandVariables(value, (ref) => (ref.kind === 'input' ? undefined : env[ref.name]));
  return { value: expanded, problems: problems.map((p) => ({ path: p.path, variable: p.name })) };
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
