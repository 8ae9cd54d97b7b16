/**
 * Files only the user may read (trust approvals, OAuth tokens, the tool-listing cache),
 * written atomically: the text goes to a temp file (mode 0600, a name no other writer uses)
 * in the same folder, which is then renamed over the target, so a reader or a crash sees the
 * old file or the new one, never half of one. The folder is created 0700 when missing.
 *
 * Throws what the file system said (the temp file is removed first); callers word it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writePrivateFile(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600); // the umask may have taken bits away; never add any
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is unusable: nothing was left in it
    }
    throw error;
  }
}
