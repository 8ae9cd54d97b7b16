/**
 * Finding, reading and validating the config file.
 *
 * Which file: `--config PATH`, else `./switchboard.json`, else the bundled
 * `config/default.json` (the temperature server alone), so a fresh clone runs with
 * no file written. Every problem is reported at once as `path.to.field: message`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserInputError } from '../errors.js';
import { expandEnv, formatPath } from './expand.js';
import { locateJsonError } from './json-error.js';
import { normalizeServers } from './servers.js';
import { AgentSettingsSchema, ConfigFileSchema, type LoadedConfig } from './schema.js';

/** The package root: this file is `dist/src/config/load.js` (or `src/config/load.ts` under vitest). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('switchboard: cannot find its own package.json');
    dir = parent;
  }
  return dir;
}

export const BUNDLED_CONFIG_PATH = (): string => resolve(packageRoot(), 'config', 'default.json');
export const DEMO_SCRIPT_PATH = (): string => resolve(packageRoot(), 'config', 'demo.script.json');

export function findConfigPath(explicit: string | undefined, cwd: string): { path: string; isBundledDefault: boolean } {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UserInputError('CONFIG_INVALID', `Config file not found: ${path}\nCheck the --config path, or leave --config out to use ./switchboard.json or the bundled default.`);
    }
    return { path, isBundledDefault: false };
  }
  const local = resolve(cwd, 'switchboard.json');
  if (existsSync(local)) return { path: local, isBundledDefault: false };
  return { path: BUNDLED_CONFIG_PATH(), isBundledDefault: true };
}

export function loadConfig(options: { configPath?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const { path, isBundledDefault } = findConfigPath(options.configPath, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError('CONFIG_INVALID', `Cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path, options.env ?? process.env, isBundledDefault);
}

/** Parses config text; `path` names the file in messages and anchors relative paths. */
export function parseConfig(text: string, path: string, env: NodeJS.ProcessEnv, isBundledDefault = false): LoadedConfig {
  const raw = parseJson(text.replace(/^\uFEFF/, ''), path);
  // VS Code's ${workspaceFolder} is the config file's folder here.
  const variables = { ...env, workspaceFolder: dirname(path) };
  const { value, problems: envProblems } = expandEnv(knownKeysOnly(withoutDisabledServers(raw)), variables);
  const problems = envProblems.map(
    (p) => `${p.path}: environment variable ${p.variable} is not set (export ${p.variable}=... or remove \${${p.variable}} from the config)`,
  );
  const parsed = ConfigFileSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  const normalized = parsed.success ? normalizeServers(parsed.data, dirname(path)) : { servers: [], problems: [] };
  problems.push(...normalized.problems);
  if (problems.length > 0) {
    throw new UserInputError('CONFIG_INVALID', `Invalid config file ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const { mcpServers: _m, servers: _s, ...settings } = parsed.data!;
  return { path, isBundledDefault, servers: normalized.servers, settings: pickSettings(settings) };
}

/** The agent settings among the top-level keys (the schema's own keys: nothing listed twice). */
function pickSettings(all: Record<string, unknown>): LoadedConfig['settings'] {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(AgentSettingsSchema.shape)) if (all[key] !== undefined) out[key] = all[key];
  return out as LoadedConfig['settings'];
}

/** JSON.parse, with a syntax error reported by line and column and what was expected there. */
function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const where = locateJsonError(text);
    if (!where) throw new UserInputError('CONFIG_INVALID', `Config file ${path} is not valid JSON.`);
    const found = where.offset < text.length ? `found ${JSON.stringify(text[where.offset])}` : 'found the end of the file';
    throw new UserInputError('CONFIG_INVALID', `Config file ${path} is not valid JSON at line ${where.line}, column ${where.column}: expected ${where.expected}, ${found}.`);
  }
}

/**
 * Only the keys Switchboard reads are expanded and validated: a config written for
 * another host may carry its own keys, with placeholders Switchboard cannot fill.
 */
function knownKeysOnly(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const known = new Set(Object.keys(ConfigFileSchema.shape));
  return Object.fromEntries(Object.entries(raw).filter(([key]) => known.has(key)));
}

/** Disabled servers are left out before variables are expanded: a server is often disabled for lack of its token. */
function withoutDisabledServers(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of ['mcpServers', 'servers']) {
    const entries = out[key];
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) continue;
    out[key] = Object.fromEntries(Object.entries(entries).filter(([, entry]) => (entry as { disabled?: unknown } | null)?.disabled !== true));
  }
  return out;
}
