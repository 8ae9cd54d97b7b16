/**
 * Switchboard's error hierarchy.
 *
 * Helpers throw these; only `src/cli/` turns them into output and exit codes.
 * A `SwitchboardError` is an expected failure with a message written for the user:
 * the CLI prints the message (never a stack trace). Anything else that escapes is a
 * bug and is printed with its stack.
 */

/** Machine-readable error codes; the CLI maps the category to an exit code. */
export type ErrorCode =
  | 'CONFIG_INVALID' // config file unreadable, malformed, or fails validation
  | 'CONFIG_UNTRUSTED' // ./switchboard.json not approved yet (switchboard trust), or declined
  | 'USAGE' // bad command-line arguments
  | 'MODEL_SETUP' // no token and no endpoint, bad scripted model file
  | 'MODEL_AUTH' // 401/403 from the model provider
  | 'MODEL_REQUEST' // the model request failed (after retries)
  | 'SERVER_START' // an MCP server could not be started (fatal only with --strict)
  | 'TOOL_NOT_FOUND' // `switchboard call` named a tool nobody exposes
  | 'NOT_FOUND' // `read` / `--prompt` named a resource or prompt no server has
  | 'TURN_STOPPED' // a one-shot `chat --json` turn ended without an answer (max steps, repeated failure, empty reply)
  | 'TOOL_DENIED' // `switchboard call` named a tool a deny rule of the config forbids
  | 'INTERRUPTED'; // Ctrl+C

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchboardError';
    this.code = code;
  }
}

/** A problem in what the user wrote (config file, flags): exit code 2. */
export class UserInputError extends SwitchboardError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UserInputError';
  }
}

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof SwitchboardError && error.code === 'INTERRUPTED') return ExitCode.interrupted;
  if (error instanceof UserInputError) return ExitCode.usage;
  return ExitCode.runtime;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
