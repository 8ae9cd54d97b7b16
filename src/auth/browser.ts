/**
 * Opening the authorization URL: `$BROWSER` when set (run by the shell, the URL passed as an
 * argument, never pasted into the command), else `open` on macOS or `xdg-open` on a Linux
 * desktop when there is a terminal. The URL is always shown too (by the caller), so a user
 * without a browser on this machine can open it elsewhere.
 */
import { spawn } from 'node:child_process';

/** How the URL was opened, or undefined when nothing could open it here. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv, interactive: boolean): string | undefined {
  const browser = env.BROWSER?.trim();
  if (browser) {
    launch('/bin/sh', ['-c', `${browser} "$1"`, 'sh', url]);
    return '$BROWSER';
  }
  if (!interactive) return undefined;
  if (process.platform === 'darwin') return launch('open', [url]) ? 'open' : undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return launch('xdg-open', [url]) ? 'xdg-open' : undefined;
  return undefined;
}

function launch(command: string, args: string[]): boolean {
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
