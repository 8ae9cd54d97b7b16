/**
 * Builds a chat run's approval policy from the flags and the config, and decides whether the
 * user can be asked: only with a terminal on both stdin and stderr and no --json (a piped
 * run, a CI job, a --json consumer gets denials, never a wait on stdin).
 */
import type { LoadedConfig } from '../config/schema.js';
import { UserInputError } from '../errors.js';
import { APPROVAL_MODES, type ApprovalMode, type ApprovalPolicy, type Permission } from '../policy/approval.js';
import type { LineAsker } from '../ui/approval-prompt.js';
import { questionOnStdin } from '../ui/line-asker.js';

/** The chat's approval flags, checked (main.ts). */
export interface ApprovalFlags {
  allow?: string[];
  deny?: string[];
  yes?: boolean;
  approval?: ApprovalMode;
}

/** `--approval` and `--yes`, checked together: `--yes` is `--approval yes`. */
export function approvalMode(approval: unknown, yes: boolean): ApprovalMode | undefined {
  if (approval === undefined) return yes ? 'yes' : undefined;
  const mode = String(approval);
  if (!(APPROVAL_MODES as readonly string[]).includes(mode)) {
    throw new UserInputError('USAGE', `--approval must be one of ${APPROVAL_MODES.join(', ')}, not "${mode}" (auto: read-only tools of trusted servers run, everything else asks).`);
  }
  if (yes && mode !== 'yes') throw new UserInputError('USAGE', `--yes means --approval yes; it contradicts --approval ${mode}. Give one of them.`);
  return mode as ApprovalMode;
}

export function buildPolicy(flags: ApprovalFlags, config: Pick<LoadedConfig, 'permissions' | 'servers'>): ApprovalPolicy {
  const servers = new Map<string, Permission>();
  const trusted = new Set<string>();
  for (const server of config.servers) {
    if (server.permission) servers.set(server.name, server.permission);
    if (server.trusted) trusted.add(server.name);
  }
  return {
    rules: {
      allow: [...(flags.allow ?? []), ...config.permissions.allow],
      ask: [...config.permissions.ask],
      deny: [...(flags.deny ?? []), ...config.permissions.deny],
    },
    mode: flags.approval ?? 'auto',
    servers,
    trusted,
  };
}

/** A terminal to ask on: stdin and stderr both terminals, and not --json. */
export function canAsk(json: boolean): boolean {
  return !json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
}

/** Asks on a free stdin (a one-shot `chat "prompt"` in a terminal); Ctrl+C at the question cancels the run: INTERRUPTED. */
export const stdinAsker: LineAsker = questionOnStdin;
