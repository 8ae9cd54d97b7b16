/**
 * The approval policy: for each tool call, `allow`, `ask` or `deny`. It decides and never
 * prompts (the question lives in ui/approval-prompt.ts, the wiring in cli/approval.ts).
 *
 * Order of evaluation (the first that applies wins):
 *   1. a `deny` rule: a glob in `permissions.deny` or `--deny`, or a server whose entry says
 *      `"permissions": "deny"`;
 *   2. an `ask` rule (`permissions.ask`, or `"permissions": "ask"` on the server);
 *   3. an `allow` rule (`permissions.allow`, `--allow`, or `"permissions": "allow"`);
 *   4. the mode (`--approval`, default `auto`):
 *      - `yes` (also `--yes`): allow (everything not denied: it also beats step 2);
 *      - `ask`: ask;
 *      - `auto`: allow a tool annotated `readOnlyHint: true` by a server the user trusts
 *        (`"trust": true` on its entry; the bundled config marks its temperature server so)
 *        whose tool the user has seen (not one that appeared mid-session); ask otherwise.
 * Globs match `server/tool` with the tool's original name, and the exposed name too.
 * Annotations from a server that is not trusted never allow anything: the MCP spec says
 * clients must treat them as untrusted hints.
 */
import { z } from 'zod';
import { firstMatch } from './glob.js';

export const PERMISSIONS = ['allow', 'ask', 'deny'] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

export const APPROVAL_MODES = ['ask', 'auto', 'yes'] as const;
export const ApprovalModeSchema = z.enum(APPROVAL_MODES);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

/** The config's `"permissions"` block: globs over `server/tool`, first match within a list. */
export const PermissionRulesSchema = z.object({
  allow: z.array(z.string().min(1, 'must be a non-empty glob such as "temperature/*"')).default([]),
  ask: z.array(z.string().min(1, 'must be a non-empty glob such as "filesystem/*"')).default([]),
  deny: z.array(z.string().min(1, 'must be a non-empty glob such as "filesystem/write_file"')).default([]),
});
export type PermissionRules = z.infer<typeof PermissionRulesSchema>;

export interface ApprovalPolicy {
  rules: PermissionRules;
  mode: ApprovalMode;
  /** Per-server shorthand (`"permissions": "allow"` on an entry), by server name. */
  servers: ReadonlyMap<string, Permission>;
  /** Servers whose annotations are believed (`"trust": true`). */
  trusted: ReadonlySet<string>;
}

/** What the policy looks at in a call. */
export interface CallSubject {
  server: string;
  originalName: string;
  exposedName: string;
  annotations?: Readonly<Record<string, unknown>>;
  /** The tool appeared after the session started and the user has not approved a call of it yet. */
  unseen?: boolean;
  /** One of the host's own tools (HOST_SERVER), not a server's. */
  host?: boolean;
}

export interface PolicyDecision {
  permission: Permission;
  /** Why, in words for a notice or a --json event ("deny rule filesystem/write_file", "mode auto: ..."). */
  why: string;
}

/** `server/tool`, the name rules and messages use. */
/**
 * The server name under which the host's own tools (`read_resource`) are decided: rules say
 * `switchboard/read_resource` (or the exposed name). Reading a resource is a read by the
 * protocol's definition, not by a server's say-so, so mode `auto` allows it; `ask` asks, and
 * deny and ask rules apply as to any tool.
 */
export const HOST_SERVER = 'switchboard';

export function qualifiedName(subject: Pick<CallSubject, 'server' | 'originalName'>): string {
  return `${subject.server}/${subject.originalName}`;
}

export function decide(policy: ApprovalPolicy, subject: CallSubject): PolicyDecision {
  const names = [qualifiedName(subject), subject.exposedName];
  const shorthand = policy.servers.get(subject.server);
  for (const permission of ['deny', 'ask', 'allow'] as const) {
    if (permission === 'ask' && policy.mode === 'yes') continue; // --yes: everything not denied
    const rule = firstMatch(policy.rules[permission], names);
    if (rule !== undefined) return { permission, why: `${permission} rule "${rule}"` };
    if (shorthand === permission) return { permission, why: `server "${subject.server}" has "permissions": "${permission}"` };
  }
  switch (policy.mode) {
    case 'yes':
      return { permission: 'allow', why: 'approval mode yes (--yes)' };
    case 'ask':
      return { permission: 'ask', why: 'approval mode ask' };
    case 'auto': {
      if (subject.host === true) return { permission: 'allow', why: "the host's own read-only tool" };
      if (!policy.trusted.has(subject.server)) return { permission: 'ask', why: `server "${subject.server}" is not trusted` };
      if (subject.annotations?.readOnlyHint !== true) return { permission: 'ask', why: 'the tool is not marked read-only' };
      if (subject.unseen) return { permission: 'ask', why: 'the tool appeared during the session' };
      return { permission: 'allow', why: 'read-only tool of a trusted server' };
    }
  }
}
