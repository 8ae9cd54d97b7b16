/**
 * The config file as a command loads it, in this order:
 *   1. found (load.ts's discovery order) and read once;
 *   2. refused when other users can write it (config/file-mode.ts);
 *   3. a project config (./switchboard.json) must be trusted (policy/trust.ts): asked on a
 *      terminal, refused otherwise, before anything is expanded, prompted for or started;
 *   4. `${input:ID}` values that are not in their environment variable are asked for on a
 *      terminal (hidden for `"password": true` inputs);
 *   5. parsed; its secrets are registered for masking (policy/secrets.ts), its warnings
 *      (keys that look like typos) go to stderr.
 */
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { assertNotWritableByOthers } from '../config/file-mode.js';
import type { InputRequest } from '../config/inputs.js';
import { missingInputs, parseConfig, readConfigSource, type ConfigSource } from '../config/load.js';
import type { LoadedConfig } from '../config/schema.js';
import { SwitchboardError, UserInputError } from '../errors.js';
import { runRedactor } from '../policy/secrets.js';

export async function loadConfigForRun(configPath: string | undefined): Promise<LoadedConfig> {
  const source = readConfigSource({ configPath });
  assertNotWritableByOthers(source.path, { project: source.origin === 'project' });
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (source.origin === 'project') await requireTrust(source, interactive);
  const inputs: Record<string, string> = {};
  // Without a terminal there is nobody to ask: parseConfig then names the variable to set.
  if (interactive) {
    for (const request of missingInputs(source.text, source.path, process.env)) {
      const answer = await ask(request);
      inputs[request.id] = answer;
      runRedactor.add(answer);
    }
  }
  const config = parseConfig(source.text, source.path, process.env, source.isBundledDefault, inputs, source.origin);
  for (const secret of config.secrets) runRedactor.add(secret);
  for (const warning of config.warnings) process.stderr.write(`switchboard: warning: ${config.path}: ${runRedactor.redact(warning)}\n`);
  return config;
}

/** A project config goes on only when approved for exactly this content. */
async function requireTrust(source: ConfigSource, interactive: boolean): Promise<void> {
  // Loaded only for a project config (found in the current folder): the trust store, and the question.
  const { approve, trustState } = await import('../policy/trust.js');
  const state = trustState(source.path, source.text, process.env);
  if (state === 'trusted') return;
  const changed = state === 'changed';
  if (interactive) {
    const [{ askTrust }, { summarizeConfig }] = await Promise.all([import('../ui/trust-prompt.js'), import('../config/summary.js')]);
    if (!(await askTrust(source.path, changed, summarizeConfig(source.text, source.path)))) {
      throw new UserInputError('CONFIG_UNTRUSTED', 'Not trusted: nothing was started. To use another config, pass --config PATH.');
    }
    approve(source.path, source.text, process.env);
    return;
  }
  throw new UserInputError(
    'CONFIG_UNTRUSTED',
    [
      `${source.path} ${changed ? 'has changed since you trusted it' : 'was found in the current folder and is not trusted yet'}; nothing was started.`,
      'A config decides which programs run and where your prompts and keys go. Read it, then either:',
      `  - trust it (until it changes): switchboard trust ${source.path}`,
      `  - or name it for this run: switchboard <command> --config ${source.path}`,
    ].join('\n'),
  );
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
