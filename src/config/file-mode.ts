/**
 * A config file decides which programs run: one that other users can write is refused,
 * whoever found it (trusted or not), as ssh refuses a writable authorized_keys.
 * "Other users": the world-writable bit, or the group-writable bit when the file's group
 * is not the user's own primary group (with per-user groups, g+w on your own group is yours).
 */
import { statSync } from 'node:fs';
import { UserInputError } from '../errors.js';

export function assertNotWritableByOthers(path: string): void {
  let mode: number;
  let gid: number;
  try {
    ({ mode, gid } = statSync(path));
  } catch {
    return; // reading the file reports it
  }
  const ownGroup = typeof process.getgid === 'function' ? process.getgid() : gid;
  const worldWritable = (mode & 0o002) !== 0;
  const groupWritable = (mode & 0o020) !== 0 && gid !== ownGroup;
  if (!worldWritable && !groupWritable) return;
  throw new UserInputError(
    'CONFIG_INVALID',
    `Config file ${path} is writable by other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}), so anyone of them could make Switchboard run their programs. Make it writable by you alone: chmod go-w ${shellQuote(path)}`,
  );
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
