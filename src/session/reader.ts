/**
 * Reads a session file back.
 *
 * Every complete line (ending in a newline) that parses is a record. A last line without
 * its newline, or one that does not parse, is a write cut short by a crash: skipped, with a
 * warning. A bad line in the middle cannot come from a crash (each line is one write) but
 * from an edit or a disk problem: it is skipped too, with a warning naming its line number,
 * so one damaged line does not cost the rest of the conversation.
 */
import { readFileSync } from 'node:fs';
import { parseRecord, type SessionRecord } from './records.js';

export interface ReadSession {
  records: SessionRecord[];
  /** What was skipped and why, one sentence each (with line numbers). */
  warnings: string[];
}

export function readSessionFile(path: string): ReadSession {
  return parseSessionText(readFileSync(path, 'utf8'), path);
}

export function parseSessionText(text: string, name = 'the session file'): ReadSession {
  const records: SessionRecord[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  // After the last newline: empty for a file that ends cleanly, else a torn line.
  const tail = lines.pop() ?? '';
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const result = parseLine(line);
    if ('record' in result) {
      records.push(result.record);
      return;
    }
    const isLast = index === lines.length - 1 && tail === '';
    warnings.push(isLast ? `${name}: the last line (${index + 1}) is incomplete or damaged (${result.error}); it was skipped.` : `${name}: line ${index + 1} skipped: ${result.error}.`);
  });
  if (tail.trim() !== '') {
    const result = parseLine(tail);
    // A complete record without its newline is kept: only the newline was lost.
    if ('record' in result) records.push(result.record);
    else warnings.push(`${name}: the last line (${lines.length + 1}) was cut short, probably by a crash; it was skipped.`);
  }
  return { records, warnings };
}

function parseLine(line: string): { record: SessionRecord } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  return parseRecord(value);
}
