/**
 * Credentials go over TLS only, except to loopback: a token sent over plain http:// to
 * another host can be read by anyone on the path. Loopback (127.0.0.0/8, ::1, localhost)
 * never leaves the machine, so local servers (llama.cpp, Ollama) keep working over http.
 */
import { isIP } from 'node:net';
import { UserInputError } from '../errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^::ffff:7f/.test(host);
  return false;
}

/** Throws (exit 2) when a token would go over plain http to a host that is not loopback, unless allowed. */
export function assertTokenTransport(url: string | undefined, hasToken: boolean, allowInsecure: boolean): void {
  if (!url || !hasToken || allowInsecure) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // the URL rule rejects it elsewhere
  }
  if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return;
  throw new UserInputError(
    'MODEL_SETUP',
    `Refusing to send the model token over plain http to ${url}: anyone on the network path could read it. Use https://, or a loopback address for a local server; to send it anyway, pass --allow-insecure-endpoint (or "allowInsecureEndpoint": true in the config).`,
  );
}
