/**
 * `switchboard sessions [--json]`: the recorded sessions, newest first: id, start time,
 * number of user turns, first prompt. A damaged file is listed with a note.
 */
import { defaultSessionDir } from '../session/paths.js';
import { listSessions, type SessionSummary } from '../session/list.js';
import { terminalSafe } from '../ui/sanitize.js';

export function sessionsCommand(flags: { json?: boolean }): number {
  const dir = defaultSessionDir();
  const sessions = listSessions(dir);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(sessions.map((s) => ({ ...s, startedAt: s.startedAt.toISOString() })), null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    process.stdout.write(`No sessions recorded yet (folder: ${dir}).\n`);
    return 0;
  }
  process.stdout.write(`${formatSessionTable(sessions)}\n`);
  return 0;
}

export function formatSessionTable(sessions: readonly SessionSummary[]): string {
  const rows = sessions.map((s) => ({
    id: s.id,
    started: localTime(s.startedAt),
    turns: String(s.turns),
    prompt: terminalSafe(`${s.firstPrompt ?? ''}${s.note ? ` (${s.note})` : ''}`, { singleLine: true }),
  }));
  const header = { id: 'ID', started: 'STARTED', turns: 'TURNS', prompt: 'FIRST PROMPT' };
  const all = [header, ...rows];
  const width = (key: keyof typeof header) => Math.max(...all.map((row) => row[key].length));
  const w = { id: width('id'), started: width('started'), turns: width('turns') };
  return all.map((r) => `${r.id.padEnd(w.id)}  ${r.started.padEnd(w.started)}  ${r.turns.padStart(w.turns)}  ${r.prompt}`.trimEnd()).join('\n');
}

/** `2026-11-29 22:09` in the local time zone. */
function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
