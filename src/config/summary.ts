/**
 * What a config file would do, as written (nothing expanded, nothing started): shown to
 * the user before they approve a project config (the trust question, `switchboard trust`,
 * `doctor`). Every grant a file can make is named, because a planted ./switchboard.json is
 * approved on what this shows:
 * - where the model key goes: `sends the value of $NAME as the API key to URL`, first, since
 *   `apiKeyEnv` + `endpointUrl` can send any variable (AWS_SECRET_ACCESS_KEY) to any host;
 * - each server's command line or URL, the names (never the values) of its env and headers,
 *   the environment variables its expanded fields read, its folders (cwd, roots: a server
 *   such as server-filesystem works in the client's roots, so `"roots": ["/"]` is the whole
 *   disk), its OAuth client, and what it may do unasked (trust, permissions, sampling);
 * - settings that widen what reaches the model or the disk: model, provider, plain-http
 *   exceptions, a log file, a system prompt, images, elicitation defaults, permission rules.
 * Settings that only bound things (timeouts, limits, tool filters) are not listed.
 *
 * Contract: the lines hold the file's text RAW (a server name may carry escape sequences or a
 * U+202E bidi override). Whoever shows them on a terminal makes each one terminal-safe and
 * single-line (ui/sanitize.ts `terminalSafe(line, { singleLine: true })`: ui/trust-prompt.ts
 * and ui/doctor-report.ts do); config/ does not depend on ui/. `doctor --json` keeps them raw.
 * A file that does not parse yields its parse error instead: parseConfig reports it anyway,
 * and approving an unreadable file means nothing.
 */
import { keyVariableFor } from './api-key.js';
import { expandVariables } from './expand.js';
import { parseJsonc } from './jsonc.js';
import { EXPANDED_SERVER_FIELDS, EXPANDED_SETTINGS } from './load.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Settings shown as they are written: which model, and what may go to disk or over plain http. */
const SHOWN_SETTINGS = ['model', 'provider', 'allowInsecureEndpoint', 'logFile'] as const;

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
  const key = keyLine(raw);
  if (key) lines.push(key);
  const servers: string[] = [];
  for (const dialect of ['mcpServers', 'servers']) {
    const entries = raw[dialect];
    if (!isObject(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      if (!isObject(entry) || entry.disabled === true) continue;
      servers.push(`server ${name}: ${describeServer(entry)}`);
    }
  }
  lines.push(...(servers.length > 0 ? servers : ['no servers']));
  for (const setting of SHOWN_SETTINGS) if (raw[setting] !== undefined) lines.push(`${setting}: ${JSON.stringify(raw[setting])}`);
  if (typeof raw.system === 'string') lines.push(`system prompt: set (${[...raw.system].length} characters, sent to the model as written)`);
  if (raw.images === true) lines.push('images: images in tool results are sent to the model');
  if (raw.elicitation === 'defaults') lines.push("elicitation: defaults (without a terminal, servers' requests for your input are ACCEPTED with their default values)");
  if (isObject(raw.permissions)) {
    for (const list of ['allow', 'ask', 'deny'] as const) {
      const globs = raw.permissions[list];
      if (Array.isArray(globs) && globs.length > 0) lines.push(`permissions: ${globs.map(String).join(', ')} ${RULE_WORDING[list]}`);
    }
  }
  return lines;
}

/**
 * Where the model key would go, when the file decides it (an `endpointUrl` or an `apiKeyEnv`);
 * a file that sets neither leaves the key where the user's own settings put it.
 */
function keyLine(raw: Json): string | undefined {
  const endpoint = typeof raw.endpointUrl === 'string' ? raw.endpointUrl : undefined;
  const apiKeyEnv = typeof raw.apiKeyEnv === 'string' ? raw.apiKeyEnv : undefined;
  if (endpoint === undefined && apiKeyEnv === undefined) return undefined;
  const variable = keyVariableFor(endpoint, apiKeyEnv);
  const where = endpoint ?? 'Hugging Face Inference Providers';
  const reads = variablesIn(Object.fromEntries(EXPANDED_SETTINGS.map((field) => [field, raw[field]])));
  return `sends the value of $${variable} as the API key to ${where}, with your prompts and tool results${reads ? ` (the URL reads ${reads})` : ''}`;
}

function describeServer(entry: Json): string {
  const parts: string[] = [];
  if (typeof entry.url === 'string' && entry.command === undefined) parts.push(`url ${entry.url}`);
  else parts.push([entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].map((word) => quoteWord(String(word))).join(' '));
  if (typeof entry.cwd === 'string') parts.push(`cwd ${entry.cwd}`);
  const envNames = isObject(entry.env) ? Object.keys(entry.env) : [];
  if (envNames.length > 0) parts.push(`env ${envNames.join(', ')}`);
  if (typeof entry.envFile === 'string') parts.push(`envFile ${entry.envFile}`);
  if (isObject(entry.headers) && Object.keys(entry.headers).length > 0) parts.push(`headers ${Object.keys(entry.headers).join(', ')}`);
  // The values of env and headers are not shown (they may be secrets), but which of the
  // user's variables they read is: `"env": {"T": "${env:AWS_SECRET_ACCESS_KEY}"}` hands it over.
  const reads = variablesIn(Object.fromEntries(EXPANDED_SERVER_FIELDS.map((field) => [field, entry[field]])));
  if (reads) parts.push(`reads ${reads}`);
  if (isObject(entry.auth)) parts.push(`auth ${describeAuth(entry.auth)}`);
  // Grants: what this file would let the server reach or do without the user's say.
  if (Array.isArray(entry.roots)) parts.push(entry.roots.length > 0 ? `roots ${entry.roots.map(String).join(', ')} (folders the server may work in)` : 'roots none');
  if (entry.trust === true) parts.push('marked trusted (its read-only tools run without asking)');
  if (typeof entry.permissions === 'string') parts.push(`permissions ${entry.permissions}${entry.permissions === 'allow' ? ' (every tool runs WITHOUT asking)' : ''}`);
  if (entry.sampling === 'allow') parts.push('sampling allow (the server may use your model WITHOUT asking)');
  if (entry.allowInsecure === true) parts.push('allowInsecure (plain http to a remote host)');
  return parts.join('; ');
}

/** An OAuth client as written: the grant and the client it presents (a secret only as "set"). */
function describeAuth(auth: Json): string {
  const parts = [typeof auth.grant === 'string' ? auth.grant : 'authorization_code'];
  if (typeof auth.clientId === 'string') parts.push(`client ${auth.clientId}`);
  if (auth.clientSecret !== undefined) parts.push('a client secret');
  if (typeof auth.clientMetadataUrl === 'string') parts.push(`client metadata ${auth.clientMetadataUrl}`);
  if (typeof auth.scope === 'string') parts.push(`scope ${auth.scope}`);
  return parts.join(', ');
}

/**
 * The user's environment variables (and prompted inputs) a value would read once expanded,
 * as `$A, $B, input x`, or '' when none. The loader's own expansion walks the value, so what
 * is listed is exactly what would be read.
 */
function variablesIn(value: unknown): string {
  const { problems } = expandVariables(value, () => undefined);
  const names = new Set<string>();
  for (const ref of problems) {
    if (ref.kind === 'env') names.add(`$${ref.name}`);
    else if (ref.kind === 'input') names.add(`input ${ref.name}`);
  }
  return [...names].join(', ');
}

/** A word of a command line, quoted when it has spaces, quotes or anything unusual, so the line reads as a shell would run it. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
