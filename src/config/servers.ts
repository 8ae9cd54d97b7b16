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
      if ('problem' in spec) problems.push(`${field}.envFile: ${spec.problem}`);
      else servers.push(spec);
    }
  }
  return { servers, problems };
}

function toSpec(name: string, entry: ServerEntry, configDir: string): ServerSpec | { problem: string } {
  const fromFile = entry.envFile === undefined ? { env: {} } : readEnvFile(entry.envFile, configDir);
  if ('problem' in fromFile) return fromFile;
  const env = { ...fromFile.env, ...entry.env };
  // The schema has already checked that an HTTP entry has a url and a stdio entry a command.
  if (isHttpEntry(entry)) {
    return { name, transport: 'http', command: '', args: [], env, url: entry.url, timeoutSeconds: entry.timeout };
  }
  const cwd = entry.cwd === undefined ? undefined : resolve(configDir, entry.cwd);
  return {
    name,
    transport: 'stdio',
    command: resolveRelative(entry.command!, configDir),
    args: entry.args.map((arg) => resolveArg(arg, configDir)),
    env,
    cwd,
    timeoutSeconds: entry.timeout,
    ...(entry.sampling ? { sampling: entry.sampling } : {}),
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
