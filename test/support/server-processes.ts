/**
 * MCP servers run as real processes listening on loopback (server-everything in its
 * `streamableHttp` / `sse` modes, the HTTP fixture): a free port, a start that waits for the
 * server's "listening" line, and cleanup of every process a test started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it; the server binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The processes one test file starts; call `killAll()` after each test. */
export class ServerProcesses {
  private readonly children: ChildProcess[] = [];

  /** Starts `node ...args` and resolves once `ready` matches its output (stdout and stderr together). */
  async start(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    await new Promise<void>((resolveReady, reject) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (ready.test(seen)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${seen}`)));
    });
    return child;
  }

  /** Kills one and waits for it to be gone. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await gone;
  }

  /** Kills every process still running, and waits for each to be gone. */
  async killAll(): Promise<void> {
    await Promise.all(this.children.splice(0).map((child) => this.stop(child)));
  }
}
