/**
 * VS Code's `envFile` for a server: a dotenv file (`KEY=value` lines, `#` comments, quoted
 * values), parsed with Node's own `util.parseEnv`. The path is relative to the config file's
 * folder; the entry's own `env` wins over the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export function readEnvFile(path: string, configDir: string): { env: Record<string, string> } | { problem: string } {
  const absolute = resolve(configDir, path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { problem: `cannot read ${absolute}: ${reason} (the path is relative to the config file's folder)` };
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) if (value !== undefined) env[key] = value;
  return { env };
}
