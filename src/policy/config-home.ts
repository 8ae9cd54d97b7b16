/**
 * The user's Switchboard folder: `$XDG_CONFIG_HOME/switchboard/`, else
 * `~/.config/switchboard/` (on macOS too: one rule, easy to document and to find).
 * It holds the user-level config (`config.json`) and the trust store (`trusted-configs.json`).
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function configHome(env: NodeJS.ProcessEnv): string {
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and is ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'switchboard');
}

export const userConfigPath = (env: NodeJS.ProcessEnv): string => join(configHome(env), 'config.json');
export const trustStorePath = (env: NodeJS.ProcessEnv): string => join(configHome(env), 'trusted-configs.json');
