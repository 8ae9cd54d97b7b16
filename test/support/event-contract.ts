/**
 * Checks a `switchboard chat --json` run's stdout against the event contract, the way a
 * consumer would: every line is validated against the COMMITTED JSON Schema
 * (config/events.v1.schema.json, with Ajv, the validator the MCP SDK uses), and a failed run
 * (exit code not 0) ends with exactly one `error` event whose `exitCode` is the process's,
 * while a successful run has none. test/support/cli.ts runs this on every `chat --json` run,
 * so every e2e test checks the contract as a side effect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './paths.js';

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'config/events.v1.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** True for the arguments of a run whose stdout is the event stream. */
export function isJsonChat(args: readonly string[]): boolean {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  return args[0] === 'chat' && args.slice(1, end).includes('--json');
}

/**
 * The contract's problems in `stdout`, as readable lines (empty when it holds). `exitCode`
 * is null when the run was killed by a signal: then only complete lines are checked.
 */
export function eventContractProblems(stdout: string, exitCode: number | null): string[] {
  const problems: string[] = [];
  const complete = stdout.endsWith('\n') ? stdout : stdout.slice(0, stdout.lastIndexOf('\n') + 1);
  if (exitCode !== null && complete !== stdout) problems.push(`stdout ends with an unterminated line: ${JSON.stringify(stdout.slice(complete.length, complete.length + 200))}`);
  const events: Array<{ type?: unknown; exitCode?: unknown }> = [];
  complete
    .split('\n')
    .filter((line) => line !== '')
    .forEach((line, i) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        problems.push(`line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      const check = validate();
      if (!check(event)) {
        // oneOf reports every branch; the one with the event's own type is the useful one.
        problems.push(`line ${i + 1} does not match config/events.v1.schema.json: ${line.slice(0, 300)}\n  ${describeErrors(check, event)}`);
      }
      events.push(event as { type?: unknown });
    });
  if (exitCode === null) return problems;
  const errors = events.filter((e) => e.type === 'error');
  if (exitCode === 0 && errors.length > 0) problems.push(`the run succeeded (exit 0) but printed ${errors.length} error event(s)`);
  if (exitCode !== 0) {
    if (errors.length !== 1) problems.push(`a failed run (exit ${exitCode}) must print exactly one error event, not ${errors.length}`);
    if (events.at(-1)?.type !== 'error') problems.push(`a failed run (exit ${exitCode}) must end with its error event; the last line is ${JSON.stringify(events.at(-1))}`);
    else if (events.at(-1)?.exitCode !== exitCode) problems.push(`the error event says exitCode ${String(events.at(-1)?.exitCode)}, the process exited ${exitCode}`);
  }
  return problems;
}

function describeErrors(check: ValidateFunction, event: unknown): string {
  const type = (event as { type?: unknown } | null)?.type;
  const errors = check.errors ?? [];
  type Branch = { properties?: { type?: { const?: string } }; oneOf?: Branch[] };
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'config/events.v1.schema.json'), 'utf8')) as { oneOf: Branch[] };
  // A branch is one event type, or a nested union of one type's variants (usage, by scope).
  const typeOf = (branch: Branch): string | undefined => branch.properties?.type?.const ?? branch.oneOf?.[0]?.properties?.type?.const;
  const branch = schema.oneOf.findIndex((s) => typeOf(s) === type);
  if (branch < 0) return `unknown event type ${JSON.stringify(type)}`;
  const own = errors.filter((e) => e.schemaPath.startsWith(`#/oneOf/${branch}/`));
  return own.map((e) => `${e.instancePath || '(event)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
}
