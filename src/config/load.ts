/**
 * Finding, reading and validating the config file.
 *
 * Which file, first found wins (`ConfigOrigin`):
 *   1. `--config PATH` (explicit: trusted, the user named it);
 *   2. `./switchboard.json` (project: found implicitly, so it must be approved first, see
 *      policy/trust.ts; the check is the caller's, before anything is expanded or started);
 *   3. `config.json` in the user's Switchboard folder (user: trusted, see policy/config-home.ts);
 *   4. the bundled `config/default.json` (the temperature server alone), so a fresh clone
 *      runs with no file written.
 * Every problem is reported at once as `path.to.field: message`.
 *
 * Variables are expanded only where they are needed to start servers (`EXPANDED_SERVER_FIELDS`)
 * and in `endpointUrl`; `system`, `model` and other free text are taken as written, so a
 * config cannot copy a secret from the environment into a prompt sent to a model. Every
 * value that came from an expansion, and every server `env` value, is listed in `secrets`
 * for masking (policy/secrets.ts). An unknown key close to a known one is a warning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { userConfigPath } from '../policy/config-home.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserInputError } from '../errors.js';
import { expandVariables, formatPath, type ExpansionProblem, type VariableRef } from './expand.js';
import { describeInput, inputVariable, type InputRequest } from './inputs.js';
import { parseJsonc } from './jsonc.js';
import { normalizeServers } from './servers.js';
import { AgentSettingsSchema, ConfigFileSchema, ServerEntrySchema, type ConfigOrigin, type LoadedConfig } from './schema.js';
import { closest } from './suggest.js';

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

export function findConfigPath(explicit: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): { path: string; origin: ConfigOrigin; isBundledDefault: boolean } {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UserInputError('CONFIG_INVALID', `Config file not found: ${path}\nCheck the --config path, or leave --config out to use ./switchboard.json or the bundled default.`);
    }
    return { path, origin: 'explicit', isBundledDefault: false };
  }
  const local = resolve(cwd, 'switchboard.json');
  if (existsSync(local)) return { path: local, origin: 'project', isBundledDefault: false };
  const user = userConfigPath(env);
  if (existsSync(user)) return { path: user, origin: 'user', isBundledDefault: false };
  return { path: BUNDLED_CONFIG_PATH(), origin: 'bundled', isBundledDefault: true };
}

/** A variable the config uses that has no value: where (`mcpServers.github.env.TOKEN`), which, and what to do. */
export interface UnsetVariable extends ExpansionProblem {
  message: string;
}

/** Values for `${input:ID}` placeholders, by id, when the caller has them (e.g. asked on a terminal). */
export type InputValues = Readonly<Record<string, string>>;

export interface LoadOptions {
  configPath?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  inputs?: InputValues;
}

export interface ConfigSource {
  path: string;
  origin: ConfigOrigin;
  isBundledDefault: boolean;
  /** The file's content, read once: what is approved, hashed and parsed is the same text. */
  text: string;
}

export function readConfigSource(options: { configPath?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): ConfigSource {
  const { path, origin, isBundledDefault } = findConfigPath(options.configPath, options.cwd ?? process.cwd(), options.env);
  try {
    return { path, origin, isBundledDefault, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new UserInputError('CONFIG_INVALID', `Cannot read config file ${path}: ${(error as Error).message}`);
  }
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const source = readConfigSource(options);
  return parseConfig(source.text, source.path, options.env ?? process.env, source.isBundledDefault, options.inputs, source.origin);
}

/**
 * The `${input:ID}` placeholders in the parts of the file Switchboard reads that have no
 * value yet (neither in `inputs` nor in their environment variable), once each, in file order.
 * A file that does not parse yields none: parseConfig reports it.
 */
export function missingInputs(text: string, path: string, env: NodeJS.ProcessEnv, inputs: InputValues = {}): InputRequest[] {
  let raw: unknown;
  try {
    raw = parseJsonc(text, path);
  } catch {
    return [];
  }
  const { problems } = expandWhereNeeded(readableParts(raw).value, variableLookup(path, env, inputs));
  const ids = [...new Set(problems.filter((p) => p.kind === 'input').map((p) => p.name))];
  return ids.map((id) => describeInput(id, (raw as { inputs?: unknown }).inputs));
}

/** Parses config text; `path` names the file in messages and anchors relative paths. */
export function parseConfig(
  text: string,
  path: string,
  env: NodeJS.ProcessEnv,
  isBundledDefault = false,
  inputs: InputValues = {},
  origin: ConfigOrigin = isBundledDefault ? 'bundled' : 'explicit',
  /**
   * When given, a variable without a value is recorded here (the placeholder is left as
   * written) instead of failing the load: `doctor` reports it per server and goes on.
   */
  unset?: UnsetVariable[],
): LoadedConfig {
  const raw = parseJsonc(text, path);
  const { value: readable, warnings } = readableParts(raw);
  const secrets = new Set<string>();
  const lookup = variableLookup(path, env, inputs);
  const { value, problems: expansionProblems } = expandWhereNeeded(readable, (ref) => {
    const found = lookup(ref);
    // `${workspaceFolder}` and `${userHome}` are paths, not secrets: masking them would garble every path shown.
    if (found !== undefined && ref.kind !== 'builtin') secrets.add(found);
    return found;
  });
  if (unset) unset.push(...expansionProblems.map((problem) => ({ ...problem, message: describeMissing(problem) })));
  const problems = unset ? [] : expansionProblems.map(describeMissing);
  const parsed = ConfigFileSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  const normalized = parsed.success ? normalizeServers(parsed.data, dirname(path)) : { servers: [], problems: [] };
  problems.push(...normalized.problems);
  if (problems.length > 0) {
    throw new UserInputError('CONFIG_INVALID', `Invalid config file ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  for (const server of normalized.servers) {
    for (const item of Object.values(server.env)) secrets.add(item);
    // Remote servers' header values (tokens) and client secrets are never shown either.
    for (const item of Object.values(server.headers ?? {})) secrets.add(item);
    if (server.auth?.clientSecret) secrets.add(server.auth.clientSecret);
  }
  const { mcpServers: _m, servers: _s, permissions, ...settings } = parsed.data!;
  const rules = permissions ?? { allow: [], ask: [], deny: [] };
  return { path, origin, isBundledDefault, servers: normalized.servers, settings: pickSettings(settings), warnings, secrets: [...secrets], permissions: rules };
}

/** The fields of a server entry that are expanded: what it takes to start (or reach) the server. */
export const EXPANDED_SERVER_FIELDS = ['command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers', 'auth', 'roots'] as const;
/** The agent settings that are expanded: where the model is. */
export const EXPANDED_SETTINGS = ['endpointUrl'] as const;

/** Expands the fields listed above in `readable` (readableParts' output); nothing else. */
function expandWhereNeeded(readable: unknown, lookup: (ref: VariableRef) => string | undefined): { value: unknown; problems: ExpansionProblem[] } {
  if (!isObject(readable)) return { value: readable, problems: [] };
  const problems: ExpansionProblem[] = [];
  const expand = (node: unknown, at: (string | number)[]) => {
    const result = expandVariables(node, lookup, at);
    problems.push(...result.problems);
    return result.value;
  };
  const value: Json = { ...readable };
  for (const key of EXPANDED_SETTINGS) if (key in value) value[key] = expand(value[key], [key]);
  for (const dialect of ['mcpServers', 'servers']) {
    const entries = value[dialect];
    if (!isObject(entries)) continue;
    const expanded: Json = {};
    for (const [name, entry] of Object.entries(entries)) {
      if (!isObject(entry)) {
        expanded[name] = entry;
        continue;
      }
      const out: Json = { ...entry };
      for (const field of EXPANDED_SERVER_FIELDS) if (field in out) out[field] = expand(out[field], [dialect, name, field]);
      expanded[name] = out;
    }
    value[dialect] = expanded;
  }
  return { value, problems };
}

/** `${workspaceFolder}` is the config file's folder, `${userHome}` the home folder, `${input:ID}` a given value or its variable. */
function variableLookup(path: string, env: NodeJS.ProcessEnv, inputs: InputValues) {
  return (ref: VariableRef): string | undefined => {
    if (ref.kind === 'builtin') return ref.name === 'workspaceFolder' ? dirname(path) : homedir();
    if (ref.kind === 'input') return inputs[ref.name] ?? env[inputVariable(ref.name)];
    return env[ref.name];
  };
}

function describeMissing(problem: ExpansionProblem): string {
  if (problem.kind === 'input') {
    const variable = inputVariable(problem.name);
    return `${problem.path}: \${input:${problem.name}} has no value (set ${variable}=..., or run switchboard in a terminal to be asked for it)`;
  }
  return `${problem.path}: environment variable ${problem.name} is not set (export ${problem.name}=... or remove \${${problem.name}} from the config)`;
}

/** The agent settings among the top-level keys (the schema's own keys: nothing listed twice). */
function pickSettings(all: Record<string, unknown>): LoadedConfig['settings'] {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(AgentSettingsSchema.shape)) if (all[key] !== undefined) out[key] = all[key];
  return out as LoadedConfig['settings'];
}

const TOP_LEVEL_KEYS = Object.keys(ConfigFileSchema.shape);
const SERVER_KEYS = Object.keys(ServerEntrySchema.shape);
/** Keys other hosts write that happen to be close to one of ours: never a typo. */
const OTHER_HOSTS_KEYS = new Set(['inputs', 'dev', 'headers', 'autoApprove', 'alwaysAllow', 'disabledTools', 'transportType']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The parts of the file Switchboard reads: known top-level keys, enabled servers, and the
 * known keys of each server entry. Disabled servers are left out before expansion (a server
 * is often disabled for lack of its token). Unknown keys that look like typos are warned about.
 */
function readableParts(raw: unknown): { value: unknown; warnings: string[] } {
  if (!isObject(raw)) return { value: raw, warnings: [] };
  const warnings: string[] = [];
  const value = knownKeys(raw, TOP_LEVEL_KEYS, '', warnings);
  for (const dialect of ['mcpServers', 'servers']) {
    const entries = value[dialect];
    if (!isObject(entries)) continue;
    const enabled: Json = {};
    for (const [name, entry] of Object.entries(entries)) {
      if (isObject(entry) && entry.disabled === true) continue;
      enabled[name] = isObject(entry) ? knownKeys(entry, SERVER_KEYS, `${dialect}.${name}`, warnings) : entry;
    }
    value[dialect] = enabled;
  }
  return { value, warnings };
}

function knownKeys(object: Json, known: readonly string[], where: string, warnings: string[]): Json {
  const out: Json = {};
  for (const [key, item] of Object.entries(object)) {
    if (known.includes(key)) {
      out[key] = item;
      continue;
    }
    const suggestion = OTHER_HOSTS_KEYS.has(key) ? undefined : closest(key, known);
    if (suggestion && !(suggestion in object)) warnings.push(`${where ? `${where}.` : ''}${key}: not a key Switchboard reads, ignored; did you mean "${suggestion}"?`);
  }
  return out;
}
