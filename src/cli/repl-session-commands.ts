/**
 * What the interactive chat's commands about the session do: `/servers`, `/usage`, `/model`,
 * `/sessions`, `/resume`, `/save`. Each returns the text to show (or throws a
 * `SwitchboardError` whose message says what was wrong); `repl.ts` prints.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Agent, UsageTotals } from '../agent/loop.js';
import { UserInputError } from '../errors.js';
import type { ServerStatus } from '../mcp/hub.js';
import { listSessions } from '../session/list.js';
import { defaultSessionDir } from '../session/paths.js';
import { SessionWriter } from '../session/writer.js';
import { createModel } from './model-factory.js';
import type { Recording } from './recording.js';
import { findResumable, loadSession, restoreInto } from './resume-session.js';
import type { RunSettings } from './settings.js';
import { formatSessionTable } from './sessions.js';

/** What the user reads for each connection state. */
const STATE_WORDS: Record<ServerStatus['state'], string> = {
  starting: 'starting',
  ready: 'ready',
  crashed: 'restarting (crashed; the next call starts it again)',
  down: 'down (its tools answer "server down")',
  closed: 'closed',
};

export function serversText(servers: readonly ServerStatus[]): string {
  if (servers.length === 0) return 'No servers configured.';
  const width = Math.max(...servers.map((s) => s.name.length));
  return servers.map((s) => `${s.name.padEnd(width)}  ${STATE_WORDS[s.state]}, ${s.toolCount} tool${s.toolCount === 1 ? '' : 's'}`).join('\n');
}

/** `~` marks a total that holds estimates (a provider that did not report usage). */
export function usageText(usage: UsageTotals): string {
  if (usage.modelCalls === 0) return 'No model calls yet.';
  const mark = usage.estimatedCalls > 0 ? '~' : '';
  const note = usage.estimatedCalls > 0 ? ` (~: estimated for ${usage.estimatedCalls === usage.modelCalls ? 'every call' : `${usage.estimatedCalls} of ${usage.modelCalls} calls`}; the provider did not report usage)` : '';
  const sampling = usage.samplingCalls > 0 ? ` (${usage.samplingCalls} for servers' sampling requests)` : '';
  return `${usage.modelCalls} model call${usage.modelCalls === 1 ? '' : 's'}${sampling}: ${mark}${usage.promptTokens} tokens in, ${mark}${usage.completionTokens} out${note}`;
}

/** `/model ID`: the same endpoint, provider and key, another model; the history stays. */
export function switchModel(agent: Agent, settings: RunSettings, id: string, recording: Recording): string {
  const model = createModel({ ...settings, model: id }, process.env, process.cwd());
  agent.model = model;
  settings.model = id;
  recording.writer?.event({ type: 'notice', message: `model switched to ${id}` });
  return `model: ${model.description}`;
}

export function sessionsText(): string {
  const dir = defaultSessionDir();
  const sessions = listSessions(dir);
  return sessions.length === 0 ? `No sessions recorded yet (folder: ${dir}).` : formatSessionTable(sessions);
}

/**
 * `/resume ID`: the conversation becomes the recorded one (repaired as on --resume); this
 * chat's own file goes on recording, with a reset and the resumed history.
 */
export function resumeSession(agent: Agent, settings: RunSettings, idOrPath: string, recording: Recording): { text: string; warnings: string[] } {
  const loaded = loadSession(findResumable(idOrPath));
  const changed = restoreInto(agent, loaded, settings.system);
  recording.resumed(agent, changed, loaded.path === recording.path);
  const turns = loaded.history.filter((m) => m.role === 'user' && typeof m.content === 'string').length;
  return { text: `Resumed ${loaded.path} (${turns} turn${turns === 1 ? '' : 's'}).`, warnings: loaded.warnings };
}

/**
 * `/save PATH`: a copy of this chat's session file; without a recording (--no-session), a
 * new session file holding the conversation. An existing file is not overwritten.
 */
export function saveSession(agent: Agent, settings: RunSettings, path: string, recording: Recording): string {
  const target = resolve(path);
  if (existsSync(target)) throw new UserInputError('USAGE', `${target} exists; /save does not overwrite a file. Pick another name or remove it first.`);
  try {
    if (recording.path) copyFileSync(recording.path, target);
    else {
      const writer = new SessionWriter(target);
      writer.start({ model: settings.model, servers: [] });
      writer.syncHistory(agent.history);
      writer.close();
    }
  } catch (error) {
    throw new UserInputError('USAGE', `Cannot save to ${target}: ${(error as Error).message}`);
  }
  return `Saved to ${target}.`;
}
