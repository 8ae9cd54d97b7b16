/**
 * `switchboard resources [--server S] [--json]`: every resource and resource template the
 * servers list (uri, name, mime type, size).
 * `switchboard read URI [--server S] [--out FILE]`: one resource. Text goes to stdout as it
 * is (made terminal-safe on a terminal); binary goes to `--out FILE`, or raw to a piped
 * stdout, and never as base64 to a terminal. Without `--server`, each server offering
 * resources is asked in config order until one reads the URI.
 */
import { writeFileSync } from 'node:fs';
import { SwitchboardError, UserInputError } from '../errors.js';
import type { ServerConnection } from '../mcp/connection.js';
import { listResources, offersResources, readResource } from '../mcp/resources.js';
import { formatResources } from '../ui/resource-list.js';
import { terminalSafe } from '../ui/sanitize.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

const LIST_TIMEOUT_MS = 30_000;

/** Starts only `--server S` when given (a usage error naming the servers when S is not one). */
export function onlyServer(server: string | undefined) {
  return <S extends { name: string }>(specs: S[]): S[] => {
    if (server === undefined) return specs;
    if (!specs.some((s) => s.name === server)) throw new UserInputError('USAGE', `--server: no server named "${server}" in the config. Servers: ${specs.map((s) => s.name).join(', ') || '(none configured)'}.`);
    return specs.filter((s) => s.name === server);
  };
}

export async function resourcesCommand(flags: GlobalFlags & { server?: string; json?: boolean }, signal: AbortSignal): Promise<number> {
  return withSession(flags, { needsModel: false, announce: false, signal, servers: onlyServer(flags.server) }, async ({ hub }) => {
    const lists = await Promise.all(hub.connections.filter(offersResources).map((c) => listResources(c, LIST_TIMEOUT_MS)));
    process.stdout.write(flags.json ? `${JSON.stringify(lists, null, 2)}\n` : `${formatResources(lists)}\n`);
    return 0;
  });
}

export async function readCommand(flags: GlobalFlags & { uri: string; server?: string; out?: string }, signal: AbortSignal): Promise<number> {
  return withSession(flags, { needsModel: false, announce: false, signal, servers: onlyServer(flags.server) }, async ({ hub }) => {
    const candidates = hub.connections.filter(offersResources);
    if (candidates.length === 0) throw new UserInputError('USAGE', `No running server offers resources${flags.server ? ` ("${flags.server}" does not)` : ''}. See: switchboard resources`);
    const { result } = await readFromAny(candidates, flags.uri, signal);
    const binary = result.contents.flatMap((c) => ('blob' in c && typeof c.blob === 'string' ? [{ blob: c.blob, mimeType: c.mimeType }] : []));
    const texts = result.contents.flatMap((c) => ('text' in c && typeof c.text === 'string' ? [c.text] : []));
    if (flags.out !== undefined) {
      const data = binary.length > 0 ? Buffer.concat(binary.map((c) => Buffer.from(c.blob, 'base64'))) : Buffer.from(texts.join('\n'), 'utf8');
      writeFileSync(flags.out, data);
      process.stderr.write(`saved: ${flags.out} (${data.length} bytes)\n`);
      return 0;
    }
    if (binary.length > 0) {
      if (process.stdout.isTTY) {
        const mime = binary[0]!.mimeType ?? 'binary';
        throw new UserInputError('USAGE', `"${flags.uri}" is binary (${mime}); it is not printed on a terminal. Write it to a file: switchboard read ${flags.uri} --out FILE`);
      }
      for (const content of binary) process.stdout.write(Buffer.from(content.blob, 'base64'));
      return 0;
    }
    const text = texts.join('\n');
    process.stdout.write(process.stdout.isTTY ? terminalSafe(text) : text);
    if (!text.endsWith('\n') && process.stdout.isTTY) process.stdout.write('\n');
    return 0;
  });
}

async function readFromAny(candidates: readonly ServerConnection[], uri: string, signal: AbortSignal) {
  const problems: string[] = [];
  for (const connection of candidates) {
    try {
      return { server: connection.name, result: await readResource(connection, uri, LIST_TIMEOUT_MS, signal) };
    } catch (error) {
      if (signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
      problems.push(`${connection.name}: ${(error as Error).message.replace(/^MCP error -?\d+: /, '')}`);
    }
  }
  throw new UserInputError('NOT_FOUND', `No server could read "${uri}": ${problems.join('; ')}. See: switchboard resources`);
}
