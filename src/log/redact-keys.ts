/**
 * Pattern-based masking for the log file: strings that look like credentials whoever wrote
 * them (a server echoing its token on stderr, a URL with a key in it), beside the exact
 * values the config is known to hold (passed in as `secrets`, e.g. the run's Redactor from
 * src/policy/secrets.ts, which knows every expanded variable and server `env` value).
 *
 * Masked: Hugging Face (`hf_…`), OpenAI-style (`sk-…`) and GitHub (`ghp_…`, `gho_…`,
 * `github_pat_…`) keys, JWTs, the value of an `Authorization` header (the scheme is kept),
 * a bearer token, and the value after a name such as `token`, `api_key`, `secret`,
 * `password` (`HF_TOKEN=…`, `"access_token": "…"`, `?api_key=…`). Over-masking a log line is
 * cheap; a leaked key is not.
 */
import { MASK } from '../policy/secrets.js';

const KEY_PATTERNS: readonly RegExp[] = [
  /\bhf_[A-Za-z0-9]{16,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  // header.payload.signature, base64url; a JWT's header always starts with `{"` = `eyJ`.
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];

/** `Authorization: Bearer x`, `"authorization":"Basic x"`: the header name and scheme stay. */
const AUTHORIZATION = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^\s"',;]+/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
/** A value named like a credential: `HF_TOKEN=x`, `api-key: x`, `"client_secret": "x"`, `?token=x`. */
const NAMED_VALUE = /\b((?:[A-Za-z0-9]+[_-])*(?:token|secret|password|passwd|api[_-]?key|apikey)["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi;

/** `text` with every credential-looking string, and every one of `secrets`, replaced by `***`. */
export function redactKeys(text: string, secrets: { redact(text: string): string } | undefined = undefined): string {
  let out = secrets ? secrets.redact(text) : text;
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, MASK);
  out = out.replace(AUTHORIZATION, (_all, name: string, scheme: string | undefined) => `${name}${scheme ? `${scheme} ` : ''}${MASK}`);
  out = out.replace(BEARER, (_all, bearer: string) => `${bearer}${MASK}`);
  out = out.replace(NAMED_VALUE, (all, name: string) => (all.slice(name.length) === MASK ? all : `${name}${MASK}`));
  return out;
}
