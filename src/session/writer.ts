/**
 * Appends records to a session file as things happen.
 *
 * Crash safety: the file is opened for appending (mode 0o600: it holds the conversation)
 * and each record is written as one line with ONE synchronous write, so when the process is
 * killed (even with SIGKILL) the file holds every earlier record whole and at most one torn
 * last line, which the reader skips. Nothing is buffered in the process.
 *
 * Secrets: every string of every record is masked (`***`) with the run's redactor before it
 * is written (policy/secrets.ts `maskedJson`, as `--json` and the log do), tool results and
 * model text included: a session file holds no config secret, even one a server echoed back.
 * The file is also what `--resume` rebuilds the history from, so a masked value resumes as
 * `***`: the model of a resumed chat no longer sees it. That is the trade chosen: a session
 * file is kept, copied and traced, and must not carry credentials.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentEvent, HostEvent } from '../agent/events.js';
import type { ChatMessage } from '../llm/model.js';
import { maskedJson, runRedactor } from '../policy/secrets.js';
import { VERSION } from '../version.js';
import { SESSION_FORMAT_VERSION, type SessionRecord, type SessionStart } from './records.js';

/** What the header says about the run; the writer adds the version, format and times. */
export interface SessionInfo {
  model: string;
  provider?: string;
  config?: string;
  servers: SessionStart['servers'];
}

export class SessionWriter {
  private fd: number | undefined;
  /** Messages already written, by identity: history messages are never mutated once pushed. */
  private readonly written = new WeakSet<ChatMessage>();

  /** Set when a write failed (disk full, file system gone): recording stopped there. */
  failure: Error | undefined;

  /**
   * Creates the folder (0o700) if needed and opens `path` for appending; throws the fs error
   * when it cannot. A later write that fails does not throw: a chat outlives its recording.
   * The writer stops, keeps the error in `failure` and calls `onFailure` once.
   */
  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
    private readonly onFailure?: (error: Error) => void,
    /** Masks each string before it is written; by default the run's redactor (config secrets). */
    private readonly mask: (text: string) => string = runRedactor.mask,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
  }

  start(info: SessionInfo): void {
    const t = this.now();
    const header: SessionStart = {
      type: 'session_start',
      t,
      format: SESSION_FORMAT_VERSION,
      switchboard: VERSION,
      model: info.model,
      ...(info.provider !== undefined ? { provider: info.provider } : {}),
      ...(info.config !== undefined ? { config: info.config } : {}),
      servers: info.servers,
      startedAt: new Date(t).toISOString(),
    };
    this.append(header);
  }

  /** One agent event (or a host's `server_state`), as `--json` prints it, with its time. */
  event(event: AgentEvent | Extract<HostEvent, { type: 'server_state' }>): void {
    this.append({ ...event, t: this.now() });
  }

  /**
   * Writes every message of `history` not written yet, in order. Call it with the agent's
   * history after each event: trimming drops old messages (already written) and never
   * changes the others, so only the new ones go out.
   */
  syncHistory(history: readonly ChatMessage[]): void {
    for (const message of history) {
      if (this.written.has(message)) continue;
      this.written.add(message);
      this.append({ type: 'message', t: this.now(), message });
    }
  }

  /**
   * Marks `history` as already in the file without writing it: after a resume that appends
   * to the same file, the restored messages are not written a second time.
   */
  adoptHistory(history: readonly ChatMessage[]): void {
    for (const message of history) this.written.add(message);
  }

  /** The conversation was cleared: resume starts after this record. */
  historyReset(): void {
    this.append({ type: 'history_reset', t: this.now() });
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(record: SessionRecord): void {
    if (this.failure) return;
    if (this.fd === undefined) throw new Error(`session file ${this.path} is closed`);
    const line = Buffer.from(`${maskedJson(record, this.mask)}\n`, 'utf8');
    try {
      // One write per line; a regular file takes it whole, the loop only covers a short write.
      let done = 0;
      while (done < line.length) done += writeSync(this.fd, line, done, line.length - done);
    } catch (error) {
      this.failure = error as Error;
      this.close();
      this.onFailure?.(this.failure);
    }
  }
}

/**
 * Records a turn: call `observe(event)` for each event the agent yields and `flush()` when
 * the turn ends (however it ends). History messages go out before the event that follows
 * them (the user message before `model_request`, the assistant's tool calls before `tool_call`).
 */
export class SessionRecorder {
  constructor(
    private readonly writer: SessionWriter,
    private readonly history: readonly ChatMessage[],
  ) {}

  observe(event: AgentEvent): void {
    this.writer.syncHistory(this.history);
    this.writer.event(event);
  }

  flush(): void {
    this.writer.syncHistory(this.history);
  }
}
