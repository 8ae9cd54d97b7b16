/**
 * `switchboard sessions`: what is in the sessions folder, newest first. A file that cannot
 * be read or has no header is listed with a note; listing never fails because of one file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_EXTENSION, sessionIdOf, timeOfSessionId } from './paths.js';
import { readSessionFile } from './reader.js';
import { isMessageRecord, isSessionStart } from './records.js';

export interface SessionSummary {
  id: string;
  path: string;
  /** From the header; else from the id; else the file's modification time. */
  startedAt: Date;
  /** The first user message, on one line, cut to `PROMPT_CHARS`. */
  firstPrompt?: string;
  /** User messages recorded. */
  turns: number;
  model?: string;
  /** Set when the file is damaged or unreadable: what is wrong with it. */
  note?: string;
}

export const PROMPT_CHARS = 60;

/** Every `*.jsonl` in `dir`, newest first; an empty list when `dir` does not exist. */
export function listSessions(dir: string): SessionSummary[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(SESSION_EXTENSION));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const summaries = names.map((name) => summarize(join(dir, name)));
  // Newest first; ids are sortable timestamps, and break ties between equal start times.
  return summaries.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.id.localeCompare(a.id));
}

export function summarize(path: string): SessionSummary {
  const id = sessionIdOf(path);
  let modified = timeOfSessionId(id) ?? new Date(0);
  try {
    modified = timeOfSessionId(id) ?? statSync(path).mtime;
    const { records, warnings } = readSessionFile(path);
    const header = records.find(isSessionStart);
    // Turns are the user's own text messages (an image message after tool results is the host's).
    const prompts = records.filter(isMessageRecord).flatMap((r) => (r.message.role === 'user' && typeof r.message.content === 'string' ? [r.message.content] : []));
    const first = prompts[0];
    const notes = [...(header ? [] : ['no session_start header']), ...(warnings.length > 0 ? [`${warnings.length} damaged line${warnings.length === 1 ? '' : 's'}`] : [])];
    return {
      id,
      path,
      startedAt: header ? new Date(header.t) : modified,
      ...(first !== undefined ? { firstPrompt: cut(first) } : {}),
      turns: prompts.length,
      ...(header ? { model: header.model } : {}),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    };
  } catch (error) {
    return { id, path, startedAt: modified, turns: 0, note: `unreadable: ${(error as Error).message}` };
  }
}

function cut(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PROMPT_CHARS ? `${line.slice(0, PROMPT_CHARS - 1)}…` : line;
}
