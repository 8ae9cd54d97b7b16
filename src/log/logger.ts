/**
 * `--log-file PATH`: a JSON-lines log of a run, appended to (never rotated).
 *
 * Each line is one object: `{"time": ISO-8601, "level": "debug"|"info"|"warn"|"error",
 * "kind": ..., ...}`, where `kind` is
 *   - `event`: an agent or host event (`event` holds it, as `--json` would print it);
 *   - `stderr`: a line a server wrote to stderr (`server`, `line`);
 *   - `host`: a message of Switchboard's own (`message`, and `server` when it is about one):
 *     start failures, restarts, tools left out, the run's error.
 * Lines below the chosen level are not written. Every string in a record is masked
 * (`redact`) before it is written. The file is created with mode 0600 and written with one
 * `write` per line (O_APPEND), so lines from concurrent runs never interleave within a line.
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { UserInputError } from '../errors.js';
import { maskedJson } from '../policy/secrets.js';

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevelSchema>;
export const LOG_LEVELS = LogLevelSchema.options;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  log(level: LogLevel, record: Record<string, unknown>): void;
  close(): void;
}

/** A logger that writes nothing (no --log-file). */
export const NO_LOG: Logger = { log: () => undefined, close: () => undefined };

export class FileLogger implements Logger {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly level: LogLevel,
    private readonly redact: (text: string) => string,
    /** Told once when a write fails (a full disk): logging then stops, the run goes on. */
    private readonly onWriteError: (message: string) => void = () => undefined,
  ) {
    try {
      this.fd = openSync(path, 'a', 0o600);
      // The mode above applies only to a new file; an existing log is tightened too, since it will hold this run.
      fchmodSync(this.fd, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserInputError('USAGE', `Cannot open the log file ${path} (${code ?? String(error)}): give --log-file (or "logFile") a path in a folder that exists and that you can write.`);
    }
  }

  log(level: LogLevel, record: Record<string, unknown>): void {
    if (this.fd === undefined || RANK[level] < RANK[this.level]) return;
    const line = maskedJson({ time: new Date().toISOString(), level, ...record }, this.redact);
    try {
      writeSync(this.fd, `${line}\n`);
    } catch (error) {
      // A full disk must not end the run: the log stops, and the user is told once.
      this.close();
      this.onWriteError(`writing the log file ${this.path} failed (${(error as NodeJS.ErrnoException).code ?? String(error)}); logging stopped`);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
