/**
 * A chat's session file as the command line sees it: which file (`--session PATH`,
 * `--no-session`, config `saveSessions`), its header, resuming a recorded session
 * (`--resume`, the REPL's `/resume`), and the trace page at the end (`--trace`).
 *
 * Decisions (the README says the same):
 * - Every chat is recorded unless `--no-session` or `"saveSessions": false`; `--session PATH`
 *   records even then. `--trace` without a recording records to a temporary file, removed
 *   after the page is written.
 * - `--resume` appends to the resumed file (one more `session_start` header marks the new
 *   run), unless `--session PATH` names another file: that one gets the whole history.
 * - The system prompt of THIS run (--system or config `system`) replaces the recorded one;
 *   with none configured, the recorded one stays. The system prompt is configuration, and a
 *   resumed chat runs under the configuration it is given.
 * - When the history put into the agent differs from what the file holds (a repair, another
 *   system prompt), the file gets a `history_reset` and the history as the agent holds it, so
 *   the next resume starts from exactly what the model saw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Agent } from '../agent/loop.js';
import { UserInputError } from '../errors.js';
import type { ChatMessage } from '../llm/model.js';
import { serversForHeader } from '../session/header.js';
import { defaultSessionDir, newSessionId } from '../session/paths.js';
import { SessionWriter } from '../session/writer.js';
import type { RecordingFlags } from './recording-flags.js';
import type { LoadedSession } from './resume-session.js';
import type { ServerStateEvent, Session } from './session.js';


/** The open recording of a chat; `writer` is undefined when nothing is recorded. */
export class Recording {
  private constructor(
    readonly writer: SessionWriter | undefined,
    /** A temporary folder holding the file (--trace without a recording): removed on close. */
    private readonly temporaryDir: string | undefined,
  ) {}

  /**
   * Opens the file the flags and settings choose and writes its header. `resumed` is the
   * session being resumed (its file is appended to unless --session names another).
   */
  static open(flags: RecordingFlags, session: Session, agent: Agent, resumed: { loaded: LoadedSession; changed: boolean } | undefined, warn: (message: string) => void): Recording {
    const off = flags.session === false || (flags.session === undefined && !session.settings.saveSessions);
    let path: string | undefined;
    let temporaryDir: string | undefined;
    if (typeof flags.session === 'string') path = resolve(flags.session);
    else if (!off) path = resumed?.loaded.path ?? join(defaultSessionDir(), `${newSessionId()}.jsonl`);
    else if (flags.trace !== undefined) {
      temporaryDir = mkdtempSync(join(tmpdir(), 'switchboard-trace-'));
      path = join(temporaryDir, 'session.jsonl');
    }
    if (path === undefined) return new Recording(undefined, undefined);

    let writer: SessionWriter;
    try {
      // Written masked (a resumed secret comes back as `***`: see session/writer.ts).
      const mask = (text: string) => session.redactor.redact(text);
      writer = new SessionWriter(path, Date.now, (error) => warn(`the session file ${path} could not be written (${error.message}); the chat goes on without recording.`), mask);
    } catch (error) {
      if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
      const why = `Cannot open the session file ${path}: ${(error as Error).message}`;
      // The user asked for this file: a usage error. The default one: a warning, the chat goes on.
      if (typeof flags.session === 'string' || flags.trace !== undefined) throw new UserInputError('USAGE', `${why}. Pick another path (or --no-session).`);
      warn(`${why}; this chat is not recorded.`);
      return new Recording(undefined, undefined);
    }
    const { settings, hub, report, configPath } = session;
    writer.start({
      model: settings.model,
      ...(settings.endpointUrl ? {} : { provider: settings.provider }),
      config: configPath,
      servers: serversForHeader(hub, report.failed),
    });
    const recording = new Recording(writer, temporaryDir);
    if (resumed) recording.resumed(agent, resumed.changed, path === resumed.loaded.path);
    return recording;
  }

  get path(): string | undefined {
    return this.writer?.path;
  }

  /**
   * A server changed state (crashed, restarted, down, came up behind the cached listing):
   * recorded as its `server_state` event with `t`, so a trace shows it.
   */
  serverState(event: ServerStateEvent): void {
    this.writer?.event(event);
  }

  /**
   * A history was put into the agent. Same file and unchanged: it is there already. Else the
   * file gets the history as the agent holds it (after a reset, when appending).
   */
  resumed(agent: Agent, changed: boolean, sameFile: boolean): void {
    if (!this.writer) return;
    if (sameFile && !changed) return this.writer.adoptHistory(agent.history);
    if (sameFile) this.writer.historyReset();
    this.writer.syncHistory(agent.history);
  }

  /**
   * Writes the trace page of this run (the records from this run's header on). Throws a
   * usage error when the page cannot be written.
   */
  async writeTrace(path: string): Promise<void> {
    if (!this.writer) return;
    // Loaded only for --trace: most chats never draw one.
    const [{ renderTraceHtml }, { readSessionFile }] = await Promise.all([import('../trace/html.js'), import('../session/reader.js')]);
    const { records } = readSessionFile(this.writer.path);
    const start = records.findLastIndex((r) => r.type === 'session_start');
    try {
      writeFileSync(path, renderTraceHtml(records.slice(Math.max(0, start))));
    } catch (error) {
      throw new UserInputError('USAGE', `Cannot write the trace to ${path}: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.writer?.close();
    if (this.temporaryDir) rmSync(this.temporaryDir, { recursive: true, force: true });
  }
}

