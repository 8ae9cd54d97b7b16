/**
 * Types and ranges of the command-line flags, whichever parser read them (fast-parse.ts or
 * yargs-parse.ts): text in, checked values out, a usage error for a bad one. main.ts loads
 * this module once the command line parsed, and prints the errors.
 */
import { approvalMode, type ApprovalFlags } from './approval-setup.js';
import { HTTP_URL_RULE, isHttpUrl, SECONDS_RULE, secondsSchema } from '../config/values.js';
import { UserInputError } from '../errors.js';
import { LOG_LEVELS, LogLevelSchema, type LogLevel } from '../log/logger.js';
import type { ParsedFlags } from './options.js';

/** Types and ranges of the global flags, whichever parser read them. */
export function checkGlobalFlags(flags: ParsedFlags) {
  const number = (name: string, flag: string, min: number, integer: boolean): number | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new UserInputError('USAGE', `--${flag} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not "${String(value)}".`);
    }
    return n;
  };
  // Durations: the same rule as in the config file (config/values.ts).
  const seconds = (name: string, flag: string): number | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const parsed = secondsSchema.safeParse(Number(value));
    if (!parsed.success) throw new UserInputError('USAGE', `--${flag} must be ${SECONDS_RULE}, not "${String(value)}".`);
    return parsed.data;
  };
  return {
    config: optionalString(flags.config),
    model: optionalString(flags.model),
    provider: optionalString(flags.provider),
    endpointUrl: url(flags.endpointUrl),
    apiKeyEnv: variableName(flags.apiKeyEnv),
    system: optionalString(flags.system),
    maxSteps: number('maxSteps', 'max-steps', 1, true),
    toolTimeout: seconds('toolTimeout', 'tool-timeout'),
    modelTimeout: seconds('modelTimeout', 'model-timeout'),
    retries: number('retries', 'retries', 0, true),
    verbose: flags.verbose === true,
    strict: flags.strict === true,
    cache: flags.cache === false ? false : undefined,
    allowInsecureEndpoint: flags.allowInsecureEndpoint === true ? true : undefined,
    logFile: nonEmpty(flags.logFile, '--log-file needs a path, e.g. --log-file switchboard.log.'),
    logLevel: logLevel(flags.logLevel),
    ...(flags.progress === false ? { progress: false } : {}),
    ...(flags.hideReasoning === true ? { hideReasoning: true } : {}),
  };
}

/** `--allow`, `--deny` (lists), `--yes`, `--approval` (chat). */
export function approvalFlags(flags: ParsedFlags): ApprovalFlags {
  const globs = (name: 'allow' | 'deny'): string[] | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const list = (Array.isArray(value) ? value : [value]).map(String);
    if (list.some((glob) => glob.trim() === '')) throw new UserInputError('USAGE', `--${name} needs a glob over server/tool, such as --${name} "filesystem/write_file" or --${name} "temperature/*".`);
    return list;
  };
  const mode = approvalMode(flags.approval, flags.yes === true);
  const allow = globs('allow');
  const deny = globs('deny');
  return { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}), ...(mode ? { approval: mode } : {}) };
}

/** The same rule as `endpointUrl` in the config file (config/values.ts). */
function url(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (isHttpUrl(text)) return text;
  throw new UserInputError('USAGE', `--endpoint-url must be ${HTTP_URL_RULE}, not "${text}".`);
}

/** --api-key-env takes the variable's name, not its value. */
function variableName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return text;
  if (!text) throw new UserInputError('USAGE', '--api-key-env needs the NAME of an environment variable, such as MY_API_KEY.');
  throw new UserInputError('USAGE', `--api-key-env takes the NAME of an environment variable, such as MY_API_KEY, not "${text.length > 12 ? `${text.slice(0, 4)}...` : text}".`);
}

function logLevel(value: unknown): LogLevel | undefined {
  if (value === undefined) return undefined;
  const parsed = LogLevelSchema.safeParse(String(value));
  if (parsed.success) return parsed.data;
  throw new UserInputError('USAGE', `--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${String(value)}".`);
}

function nonEmpty(value: unknown, problem: string): string | undefined {
  if (value === undefined) return undefined;
  if (String(value).trim() === '') throw new UserInputError('USAGE', problem);
  return String(value);
}

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** `chat --prompt NAME --arg key=value ...`: the MCP prompt to send, and its arguments. */
export function promptFlags(flags: ParsedFlags): { mcpPrompt?: string; promptArgs?: string[] } {
  const args = flags.arg === undefined ? [] : Array.isArray(flags.arg) ? flags.arg.map(String) : [String(flags.arg)];
  if (flags.prompt === undefined) {
    if (args.length > 0) throw new UserInputError('USAGE', '--arg goes with --prompt NAME (switchboard chat --prompt NAME --arg key=value). See: switchboard prompts');
    return {};
  }
  if (flags.message !== undefined) throw new UserInputError('USAGE', '--prompt NAME sends the server\'s prompt as the message: give either --prompt or a message, not both.');
  return { mcpPrompt: String(flags.prompt), promptArgs: args };
}
