/**
 * A config file decides which programs run: one that other users can change is refused,
 * whoever found it (trusted or not), as ssh refuses a writable authorized_keys.
 * "Other users": the world-writable bit, or the group-writable bit when the file's group
 * is not the user's own primary group (with per-user groups, g+w on your own group is yours).
 *
 * A project config (./switchboard.json, and a file given to `switchboard trust`) is also
 * refused when (as sshd's StrictModes does):
 * - another user owns it (not you, not root): its owner can change it at any time;
 * - its folder (the folder of the path, and of the file a symlink leads to) is writable by
 *   other users without the sticky bit: they can replace the file with their own. With the
 *   sticky bit (/tmp) they cannot, and a file they put there is caught by the owner rule.
 * The decision is a pure function of the files' stat facts (`configFileProblem`), so every
 * rule is testable without root; `assertNotWritableByOthers` reads them from the disk.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserInputError } from '../errors.js';

/** What the rules read of a file or folder (a subset of fs.Stats). */
export interface StatFacts {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Who runs Switchboard. */
export interface Me {
  uid: number;
  gid: number;
}

export interface FileModeOptions {
  /** A project config: also check its owner and its folders (see the file comment). */
  project?: boolean;
}

const STICKY = 0o1000;

export function assertNotWritableByOthers(path: string, options: FileModeOptions = {}): void {
  let file: StatFacts;
  try {
    file = facts(path);
  } catch {
    return; // reading the file reports it
  }
  const folders: StatFacts[] = [];
  if (options.project) {
    const paths = new Set([dirname(path)]);
    try {
      paths.add(dirname(realpathSync(path)));
    } catch {
      // the file's own stat worked; a folder we cannot resolve is left to the read
    }
    for (const folder of paths) {
      try {
        folders.push(facts(folder));
      } catch {
        // as above
      }
    }
  }
  const problem = configFileProblem(file, folders, currentUser(file), options);
  if (problem) throw new UserInputError('CONFIG_INVALID', problem);
}

/** Why other users could change what the config says (a message naming the fix), or undefined. Pure. */
export function configFileProblem(file: StatFacts, folders: readonly StatFacts[], me: Me, options: FileModeOptions = {}): string | undefined {
  if (writableByOthers(file, me)) {
    return `Config file ${file.path} is writable by other users (mode ${modeText(file.mode)}), so anyone of them could make Switchboard run their programs. Make it writable by you alone: chmod go-w ${shellQuote(file.path)}`;
  }
  if (!options.project) return undefined;
  if (file.uid !== me.uid && file.uid !== 0) {
    return `Config file ${file.path} belongs to another user (uid ${file.uid}), who could change it at any time and make Switchboard run their programs. If you trust its owner (a repository mounted into a container, say), name it yourself: --config ${shellQuote(file.path)}; else use a copy of your own, or have it chowned to you.`;
  }
  for (const folder of folders) {
    if ((folder.mode & STICKY) === 0 && writableByOthers(folder, me)) {
      return `Config file ${file.path} is in a folder other users can write (${folder.path}, mode ${modeText(folder.mode)}, no sticky bit), so anyone of them could replace it and make Switchboard run their programs. Make the folder writable by you alone: chmod go-w ${shellQuote(folder.path)}`;
    }
  }
  return undefined;
}

function writableByOthers(facts: StatFacts, me: Me): boolean {
  return (facts.mode & 0o002) !== 0 || ((facts.mode & 0o020) !== 0 && facts.gid !== me.gid);
}

function facts(path: string): StatFacts {
  const { mode, uid, gid } = statSync(path);
  return { path, mode, uid, gid };
}

/** Where the platform has no uid/gid (Windows), the file's own: only the mode bits decide. */
function currentUser(file: StatFacts): Me {
  return {
    uid: typeof process.getuid === 'function' ? process.getuid() : file.uid,
    gid: typeof process.getgid === 'function' ? process.getgid() : file.gid,
  };
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(3, '0');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
