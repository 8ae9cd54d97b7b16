/**
 * `switchboard trust [PATH]`: approves a config (default ./switchboard.json) for its
 * current content, after showing what it would do. `--list` shows the approvals,
 * `--revoke PATH` removes one. See policy/trust.ts for what an approval is.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertNotWritableByOthers } from '../config/file-mode.js';
import { summarizeConfig } from '../config/summary.js';
import { UserInputError } from '../errors.js';
import { trustStorePath } from '../policy/config-home.js';
import { approve, listApprovals, revoke, trustKey } from '../policy/trust.js';
import { summaryBullets } from '../ui/trust-prompt.js';

export interface TrustOptions {
  path?: string;
  list: boolean;
  revoke?: string;
}

export async function trustCommand(options: TrustOptions): Promise<number> {
  const env = process.env;
  const given = [options.path !== undefined, options.list, options.revoke !== undefined].filter(Boolean).length;
  if (given > 1) throw new UserInputError('USAGE', 'switchboard trust takes one of: a PATH to trust, --list, or --revoke PATH.');
  if (options.list) {
    const approvals = listApprovals(env);
    if (approvals.length === 0) process.stdout.write(`No trusted configs (${trustStorePath(env)}).\n`);
    for (const approval of approvals) process.stdout.write(`${approval.path}\t${approval.approvedAt}\tsha256:${approval.sha256.slice(0, 12)}\n`);
    return 0;
  }
  if (options.revoke !== undefined) {
    if (!options.revoke) throw new UserInputError('USAGE', '--revoke needs the PATH of a trusted config (switchboard trust --list shows them).');
    const path = resolve(options.revoke);
    if (!revoke(path, env)) throw new UserInputError('USAGE', `${path} is not trusted; nothing to revoke (switchboard trust --list shows the trusted configs).`);
    process.stdout.write(`No longer trusted: ${path}\n`);
    return 0;
  }
  const path = resolve(options.path ?? 'switchboard.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError('USAGE', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}. Name the config to trust: switchboard trust PATH`);
  }
  // Whatever its name, a file trusted here is used as a project config: its owner and folder count too.
  assertNotWritableByOthers(path, { project: true });
  // The same text is shown and hashed: what the user reads is what is approved.
  approve(path, text, env);
  process.stdout.write(`Trusted ${trustKey(path)} as it is now (any change asks again). It will:\n`);
  process.stdout.write(summaryBullets(summarizeConfig(text, path)));
  return 0;
}
