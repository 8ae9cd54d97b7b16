/**
 * Where `switchboard serve` (endpoint and HTTP gateway) may listen.
 *
 * Contract: the default is 127.0.0.1:8787. A host that is not loopback must be given
 * explicitly (--host) AND a token must be supplied (--token-env): a generated token file
 * on a shared address is too easy to forget about. Checked BEFORE binding, so a refused
 * start never listens, not even briefly. Nothing here prints.
 */
import { isIP } from 'node:net';
import { UserInputError } from '../errors.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;

/** 127.0.0.0/8, ::1 (also bracketed, also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
  return false;
}

/**
 * Throws a usage error when `host` may not be used: not a host name or address, or not
 * loopback without a supplied token. Returns the host to bind (brackets removed).
 */
export function checkListenAddress(host: string, hasToken: boolean): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === '' || (isIP(bare) === 0 && !/^[A-Za-z0-9.-]{1,253}$/.test(bare))) {
    throw new UserInputError('USAGE', `--host must be an IP address or a host name, such as 127.0.0.1 or ::1, not "${host}".`);
  }
  if (!isLoopbackHost(bare) && !hasToken) {
    throw new UserInputError(
      'USAGE',
      `--host ${host} is not a loopback address: other machines could reach the server, so it refuses to start without a token you supply. Add --token-env NAME (an environment variable holding a long random token, e.g. export NAME=$(openssl rand -hex 32)), or leave out --host to listen on ${DEFAULT_HOST} only.`,
    );
  }
  return bare;
}

/** A TCP port: a whole number 0..65535 (0 = any free port; the address is printed). */
export function checkPort(value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserInputError('USAGE', `--port must be a whole number from 0 to 65535, not "${String(value)}".`);
  return port;
}
