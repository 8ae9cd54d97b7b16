/**
 * Turns the two server dialects (`mcpServers`, VS Code `servers`) into dialect-free
 * `ServerSpec`s with paths resolved against the config file's folder.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { readEnvFile } from './env-file.js';
import { isHttpEntry, type ConfigFile, type ServerEntry, type ServerSpec } from './schema.js';

/** Script files an interpreter takes as its first argument (`node server.js`, `python server.py`). */
const SCRIPT_EXTENSION = /\.(m?js|cjs|ts|mts|py)$/;

export function normalizeServers(config: ConfigFile, configDir: string): { servers: ServerSpec[]; problems: string[] } {
  const servers: ServerSpec[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const dialects = [
    ['mcpServers', config.mcpServers],
    ['servers', config.servers],
  ] as const;
  for (const [key, entries] of dialects) {
    for (const [name, entry] of Object.entries(entries ?? {})) {
      const field = `${key}.${name}`;
      const earlier = seen.get(name);
      if (earlier) {
        problems.push(`${field}: a server named "${name}" is already defined at ${earlier}; give one of them another name`);
        continue;
      }
      seen.set(name, field);
      const spec = toSpec(name, entry, configDir);
      if ('problem' in spec) problems.push(`${field}.${spec.problem}`);
      else servers.push(spec);
    }
  }
  return { servers, problems };
}

function toSpec(name: string, entry: ServerEntry, configDir: string): ServerSpec | { problem: string } {
  const fromFile = entry.envFile === undefined ? { env: {} } : readEnvFile(entry.envFile, configDir);
  if ('problem' in fromFile) return { problem: `envFile: ${fromFile.problem}` };
  const env = { ...fromFile.env, ...entry.env };
  const policy = {
    ...(entry.trust !== undefined ? { trusted: entry.trust } : {}),
    ...(entry.permissions ? { permission: entry.permissions } : {}),
    ...(entry.tools ? { toolFilter: entry.tools } : {}),
    // Both kinds of entry: a remote server asks for completions as a local one does.
    ...(entry.sampling ? { sampling: entry.sampling } : {}),
  };
  // The schema has already checked that an HTTP entry has a url and a stdio entry a command.
  if (isHttpEntry(entry)) {
    // A header that expanded to nothing would be sent empty: the server's refusal would not say why.
    const empty = Object.keys(entry.headers).find((header) => /^\s*((Bearer|Basic|Token)\s*)?$/i.test(entry.headers[header]!));
    if (empty !== undefined) return { problem: `headers.${empty}: is empty; set the variable it names, or remove the header` };
    const remoteKind = entry.type === 'sse' ? 'sse' : entry.type === 'http' || entry.type === 'streamable-http' ? 'streamable-http' : 'auto';
    return {
      name,
      transport: 'http',
      remoteKind,
      headers: entry.headers,
      ...(entry.allowInsecure ? { allowInsecure: true } : {}),
      ...(entry.auth ? { auth: entry.auth } : {}),
      command: '',
      args: [],
      env,
      url: entry.url,
      timeoutSeconds: entry.timeout,
      ...policy,
      ...(entry.roots ? { roots: entry.roots.map((root) => resolve(configDir, root)) } : {}),
    };
  }
  const cwd = entry.cwd === undefined ? undefined : resolve(configDir, entry.cwd);
  const roots = entry.roots?.map((root) => resolve(configDir, root));
  return {
    name,
    transport: 'stdio',
    command: resolveRelative(entry.command!, configDir),
    args: entry.args.map((arg) => resolveArg(arg, configDir)),
    env,
    cwd,
    timeoutSeconds: entry.timeout,
    ...policy,
    ...(roots ? { roots } : {}),
  };
}

/** `./x` and `../x` are relative to the config file's folder; bare names are looked up on PATH. */
function resolveRelative(path: string, configDir: string): string {
  return path.startsWith('./') || path.startsWith('../') ? resolve(configDir, path) : path;
}

/**
 * An argument is taken as a path relative to the config folder when it starts with
 * `./` or `../`, or when it names a script (`server.js`, `tools/main.py`) that exists
 * there. Anything else (flags, package names, absolute paths) passes through untouched.
 */
function resolveArg(arg: string, configDir: string): string {
  if (arg.startsWith('./') || arg.startsWith('../')) return resolve(configDir, arg);
  if (!isAbsolute(arg) && !arg.startsWith('-') && SCRIPT_EXTENSION.test(arg) && existsSync(resolve(configDir, arg))) {
    return resolve(configDir, arg);
  }
  return arg;
}
