/**
 * The config file as a command loads it: `${input:ID}` values that are not in their
 * environment variable are asked for on a terminal (hidden for `"password": true` inputs),
 * and the loader's warnings (keys that look like typos) go to stderr.
 */
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import type { InputRequest } from '../config/inputs.js';
import { missingInputs, parseConfig, readConfigSource } from '../config/load.js';
import type { LoadedConfig } from '../config/schema.js';
import { SwitchboardError } from '../errors.js';

export async function loadConfigForRun(configPath: string | undefined): Promise<LoadedConfig> {
  const source = readConfigSource({ configPath });
  const inputs: Record<string, string> = {};
  // Without a terminal there is nobody to ask: parseConfig then names the variable to set.
  if (process.stdin.isTTY && process.stderr.isTTY) {
    for (const request of missingInputs(source.text, source.path, process.env)) inputs[request.id] = await ask(request);
  }
  const config = parseConfig(source.text, source.path, process.env, source.isBundledDefault, inputs);
  for (const warning of config.warnings) process.stderr.write(`switchboard: warning: ${config.path}: ${warning}\n`);
  return config;
}

/** One question on stderr, read from the terminal; a password's answer is not echoed. */
async function ask(request: InputRequest): Promise<string> {
  let muted = false;
  // readline echoes what is typed through `output`; muting it after the question hides the answer.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  // In raw mode Ctrl+C reaches readline, not the process: it cancels the question.
  const cancel = new AbortController();
  rl.on('SIGINT', () => cancel.abort());
  try {
    const label = request.description ? `${request.description} (\${input:${request.id}}, or set ${request.variable})` : `\${input:${request.id}} (or set ${request.variable})`;
    const answer = rl.question(`${label}: `, { signal: cancel.signal });
    muted = request.password;
    return await answer;
  } catch (error) {
    if (cancel.signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    throw error;
  } finally {
    rl.close();
    if (muted) process.stderr.write('\n');
  }
}
