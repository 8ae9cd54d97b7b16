/**
 * What a config file would do, as written (nothing expanded, nothing started): shown to
 * the user before they approve a project config. Each server's command line or URL, the
 * names (never the values) of the environment it is given, any model or endpoint the
 * file sets, and every grant of power over the user's approvals: permission rules (what
 * would run without asking), servers marked trusted or allowed, plain-http exceptions, a
 * log file path. A file that does not parse yields its parse error instead: parseConfig
 * reports it anyway, and approving an unreadable file means nothing.
 */
import { parseJsonc } from './jsonc.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Settings a user should see before trusting a file: where prompts and keys would go. */
const SHOWN_SETTINGS = ['model', 'provider', 'endpointUrl', 'allowInsecureEndpoint', 'logFile'] as const;

/** What each list of `"permissions"` means for the user, in the order the policy applies them. */
const RULE_WORDING = { deny: 'never runs', ask: 'asks before running', allow: 'runs WITHOUT asking' } as const;

export function summarizeConfig(text: string, path: string): string[] {
  let raw: unknown;
  try {
    raw = parseJsonc(text, path);
  } catch (error) {
    return [`(the file does not parse: ${(error as Error).message})`];
  }
  if (!isObject(raw)) return ['(not a JSON object)'];
  const lines: string[] = [];
  for (const dialect of ['mcpServers', 'servers']) {
    const entries = raw[dialect];
    if (!isObject(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      if (!isObject(entry) || entry.disabled === true) continue;
      lines.push(`server ${inert(name)}: ${describeServer(entry)}`);
    }
  }
  if (lines.length === 0) lines.push('no servers');
  for (const key of SHOWN_SETTINGS) if (raw[key] !== undefined) lines.push(`${key}: ${inert(JSON.stringify(raw[key]))}`);
  if (isObject(raw.permissions)) {
    for (const list of ['allow', 'ask', 'deny'] as const) {
      const globs = raw.permissions[list];
      if (Array.isArray(globs) && globs.length > 0) lines.push(`permissions: ${globs.map((glob) => inert(String(glob))).join(', ')} ${RULE_WORDING[list]}`);
    }
  }
  return lines;
}

function describeServer(entry: Json): string {
  const parts: string[] = [];
  if (typeof entry.url === 'string' && entry.command === undefined) parts.push(`url ${inert(entry.url)}`);
  else parts.push([entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].map((word) => quoteWord(String(word))).join(' '));
  if (typeof entry.cwd === 'string') parts.push(`cwd ${inert(entry.cwd)}`);
  const envNames = isObject(entry.env) ? Object.keys(entry.env) : [];
  if (envNames.length > 0) parts.push(`env ${envNames.map(inert).join(', ')}`);
  if (typeof entry.envFile === 'string') parts.push(`envFile ${inert(entry.envFile)}`);
  if (isObject(entry.headers)) parts.push(`headers ${Object.keys(entry.headers).map(inert).join(', ')}`);
  // Grants: what this file would let run without the user's say.
  if (entry.trust === true) parts.push('marked trusted (its read-only tools run without asking)');
  if (typeof entry.permissions === 'string') parts.push(`permissions ${inert(entry.permissions)}${entry.permissions === 'allow' ? ' (every tool runs WITHOUT asking)' : ''}`);
  if (entry.allowInsecure === true) parts.push('allowInsecure (plain http to a remote host)');
  return parts.join('; ');
}

/** A word of a command line, quoted when it has spaces or quotes, so the line reads as a shell would run it. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? inert(word) : `'${inert(word).replace(/'/g, `'\\''`)}'`;
}

/** The file is not trusted yet: its text must not drive the terminal (escape sequences shown as \u001b). */
function inert(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
