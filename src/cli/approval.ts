/**
 * The CLI's approver of tool calls (the agent loop's `CallApprover`): the user's policy
 * (policy/approval.ts) for each call, and when it says `ask`, the question in a terminal
 * (ui/approval-prompt.ts), or, with nobody to ask, a denial with a notice on stderr naming
 * what would allow the call. Never waits on stdin without a terminal.
 *
 * Session memory: "always" answers (per `server/tool`), and the tools that appeared after
 * the session started (`list_changed`): those are announced when they appear and asked
 * about on their first call even when the mode `auto` would allow them.
 */
import type { ApprovalVerdict, CallApprover, CallUnderReview } from '../agent/loop.js';
import { decide, HOST_SERVER, qualifiedName, type ApprovalPolicy, type CallSubject } from '../policy/approval.js';
import { maskedCopy, runRedactor } from '../policy/secrets.js';
import type { LineAsker } from '../ui/approval-prompt.js';
import { terminalSafe } from '../ui/sanitize.js';
import type { Style } from '../ui/style.js';

export interface CliApproverOptions {
  policy: ApprovalPolicy;
  /** Reads an answer line at a terminal; absent when there is no terminal to ask (a call that would ask is denied). */
  asker?: LineAsker;
  /** Where the question and notices go (stderr). */
  out: NodeJS.WritableStream;
  style: Style;
  /** The exposed name of the host's `read_resource` tool while offered (ToolHub.hostToolName): decided as HOST_SERVER's. */
  hostToolName?: () => string | undefined;
}

type Route = NonNullable<CallUnderReview['route']>;

export class CliApprover implements CallApprover {
  /** `server/tool` answered "always" this session. */
  private readonly always = new Set<string>();
  /** `server/tool` of every tool known so far; undefined until the first listing is in. */
  private known: Set<string> | undefined;
  /** Tools that appeared mid-session and were not approved by the user yet. */
  private readonly unseen = new Set<string>();

  constructor(private readonly options: CliApproverOptions) {}

  /** The REPL answers through its own reader once it exists; undefined: nobody to ask. */
  setAsker(asker: LineAsker | undefined): void {
    this.options.asker = asker;
  }

  /**
   * The route table as it is now. The first call sets the baseline (the tools present at
   * start); later ones announce each new tool (server, name, annotations) and mark it unseen.
   */
  routesChanged(routes: ReadonlyMap<string, Route & { exposedName?: string }>): void {
    if (!this.known) {
      this.known = new Set([...routes.values()].map(qualifiedName));
      return;
    }
    for (const route of routes.values()) {
      const name = qualifiedName(route);
      if (this.known.has(name)) continue;
      this.known.add(name);
      this.unseen.add(name);
      const hints = annotationWords(route.definition?.annotations);
      const { out, style } = this.options;
      out.write(style.yellow(`+ new tool from server "${safe(route.server)}": ${safe(route.originalName)}${hints ? ` (${hints})` : ''}; its first call will be asked about\n`));
    }
  }

  check({ call, route }: CallUnderReview): ApprovalVerdict | { decision: 'ask'; why: string } {
    const subject = this.subject(call.name, route);
    // An unknown name runs nothing: the hub answers the model with the list of tools.
    if (!subject) return { decision: 'allow', by: 'policy', why: 'no such tool (nothing runs)' };
    const name = qualifiedName(subject);
    const decision = decide(this.options.policy, subject);
    if (decision.permission === 'deny') {
      return { decision: 'deny', by: 'policy', why: decision.why, message: `Not run: the user's policy denies ${name} (${decision.why}). Do not call it again; tell the user if it is needed.` };
    }
    if (decision.permission === 'allow') return { decision: 'allow', by: 'policy', why: decision.why };
    if (this.always.has(name)) return { decision: 'allow', by: 'session', why: 'allowed for this session ("always")' };
    return { decision: 'ask', why: decision.why };
  }

  async ask({ call, route }: CallUnderReview, signal: AbortSignal | undefined): Promise<ApprovalVerdict> {
    const subject = this.subject(call.name, route)!;
    const name = qualifiedName(subject);
    const why = decide(this.options.policy, subject).why;
    const { asker, out, style } = this.options;
    if (!asker) {
      const fix = /^ask rule|"permissions": "ask"/.test(why) ? `--yes (an ask rule matches it: ${why})` : `--allow ${name} (or "permissions": {"allow": ["${name}"]} in the config)`;
      out.write(style.yellow(`! ${safe(name)} was not run: it needs your approval (${safe(why)}) and there is no terminal to ask. To allow it: ${safe(fix)}\n`));
      return {
        decision: 'deny',
        by: 'no_terminal',
        why,
        message: `Not run: calling ${name} needs the user's approval, and there is no terminal to ask the user. The user can allow it with ${fix.split(' (')[0]}.`,
      };
    }
    // The question is loaded the first time one is asked: most runs ask none.
    const { askApproval } = await import('../ui/approval-prompt.js');
    const answer = await askApproval(
      {
        server: subject.server,
        tool: subject.originalName,
        exposedName: subject.exposedName,
        trusted: this.options.policy.trusted.has(subject.server),
        ...(subject.annotations ? { annotations: subject.annotations } : {}),
        // Shown masked, as on every other output: the user sees `***` where a config secret is.
        arguments: maskedCopy(parsedOrRaw(call.arguments), runRedactor.mask),
        why,
        isNew: subject.unseen === true,
      },
      asker,
      out,
      style,
      signal,
    );
    switch (answer.kind) {
      case 'always':
        this.always.add(name);
        this.unseen.delete(name);
        return { decision: 'allow', by: 'user', why: 'allowed for this session ("always")' };
      case 'once':
        this.unseen.delete(name);
        return { decision: 'allow', by: 'user', why: 'allowed once' };
      case 'no':
        return { decision: 'deny', by: 'user', why: 'declined' };
      case 'explain':
        return { decision: 'deny', by: 'user', why: 'declined, with a reason', reason: answer.reason };
    }
  }

  /** What the policy decides about; undefined for a name that is no tool (nothing runs). */
  private subject(exposedName: string, route: Route | undefined): CallSubject | undefined {
    if (!route) {
      if (exposedName !== this.options.hostToolName?.()) return undefined;
      return { server: HOST_SERVER, originalName: 'read_resource', exposedName, annotations: { readOnlyHint: true }, host: true };
    }
    const annotations = route.definition?.annotations;
    return {
      server: route.server,
      originalName: route.originalName,
      exposedName,
      ...(annotations ? { annotations } : {}),
      unseen: this.unseen.has(qualifiedName(route)),
    };
  }
}

function safe(text: string): string {
  return terminalSafe(text, { singleLine: true });
}

function annotationWords(annotations: Readonly<Record<string, unknown>> | undefined): string {
  if (!annotations) return '';
  return Object.entries(annotations)
    .filter(([key, value]) => key.endsWith('Hint') && value === true)
    .map(([key]) => key.replace(/Hint$/, ''))
    .join(', ');
}

function parsedOrRaw(raw: string): unknown {
  try {
    return raw.trim() ? JSON.parse(raw) : {};
  } catch {
    return raw;
  }
}
