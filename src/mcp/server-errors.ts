/**
 * Why a server could not run a call. The hub turns these into the text the model reads;
 * the CLI shows `ServerStartError`s at start-up.
 */

/** A start (or restart) failed: names the server, its command and its stderr since that start. */
export class ServerStartError extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
    readonly command: string,
    readonly stderrTail: string[],
  ) {
    const tail = stderrTail.length ? `\n    last stderr lines:\n${stderrTail.map((l) => `      | ${l}`).join('\n')}` : '';
    // A remote server is named by its URL, a local one by its command line.
    const label = /^https?:\/\//.test(command) ? 'url' : 'command';
    super(`server "${server}" failed to start: ${reason}\n    ${label}: ${command}${tail}`);
    this.name = 'ServerStartError';
  }
}

/** The server crashed too often and is not restarted again this session. */
export class ServerDownError extends Error {
  constructor(readonly server: string, crashes: number, windowSeconds: number) {
    super(`server "${server}" is down: it crashed ${crashes} times within ${windowSeconds} s, so Switchboard stopped restarting it for this session`);
    this.name = 'ServerDownError';
  }
}

/**
 * The server's process exited while a call was in flight. `markedDown` says whether that
 * was its last crash (no restart will follow) or whether the next call restarts it;
 * `stderrTail` holds what the crashed process wrote to stderr (never an earlier run's lines).
 */
export class ServerCrashedError extends Error {
  constructor(
    readonly server: string,
    readonly markedDown: boolean,
    readonly stderrTail: string[],
    private readonly crashes: number,
    private readonly windowSeconds: number,
    /** Set when Switchboard stopped the server itself (it flooded stdout): why. */
    readonly stoppedBecause?: string,
  ) {
    super(stoppedBecause ? `server "${server}" was stopped because ${stoppedBecause}` : `server "${server}" crashed`);
    this.name = 'ServerCrashedError';
  }

  /** What happens next, in words for the model and the user. */
  get outlook(): string {
    return this.markedDown
      ? `it crashed ${this.crashes} times within ${this.windowSeconds} s and is now marked down: Switchboard will not restart it this session`
      : 'it will be restarted on the next call';
  }
}
