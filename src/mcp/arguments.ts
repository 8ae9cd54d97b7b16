/**
 * Checking a model's tool-call arguments before anything is sent to a server.
 * The model wrote them, so every failure is explained in words the model can act on.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js';

export type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/**
 * Parses the raw argument text: JSON, and an object. Empty text means no arguments.
 * Nesting deeper than MAX_JSON_DEPTH is refused before parsing: validators, renderers and
 * JSON.stringify recurse, and arguments thousands of levels deep would crash them.
 */
export function parseArguments(raw: string | Record<string, unknown>): ParsedArguments {
  if (typeof raw !== 'string') return { ok: true, value: raw };
  if (raw.trim() === '') return { ok: true, value: {} };
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) {
    return { ok: false, problem: `the arguments nest objects or arrays more than ${MAX_JSON_DEPTH} levels deep. The tool was not run; send flatter arguments.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problem: `the arguments are not valid JSON (${(error as Error).message}). Send the arguments as one JSON object.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: `the arguments must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}.` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Validators compiled once per schema object, for one route table: the hub makes a new
 * validator with every table, so a schema changed by list_changed is compiled afresh and
 * the old compiled schemas (Ajv keeps every one it compiles) go with the old table.
 *
 * The top-level `$id` is left out of what Ajv compiles: Ajv (and the SDK's wrapper, which
 * looks schemas up by `$id` first) would otherwise hand one tool's validator to another
 * tool that declares the same `$id`, or refuse the second schema outright.
 */
export class ArgumentValidator {
  private ajv: AjvJsonSchemaValidator | undefined;
  private readonly cache = new WeakMap<object, JsonSchemaValidator<unknown> | null>();

  /** Returns a problem description, or undefined when the arguments fit (or the schema cannot be compiled). */
  check(schema: Record<string, unknown>, args: Record<string, unknown>): string | undefined {
    let validate = this.cache.get(schema);
    if (validate === undefined) {
      const { $id: _ignored, ...withoutId } = schema;
      try {
        this.ajv ??= new AjvJsonSchemaValidator();
        validate = this.ajv.getValidator(withoutId as never);
      } catch {
        validate = null; // a schema Ajv cannot compile: let the server judge the arguments
      }
      this.cache.set(schema, validate);
    }
    if (!validate) return undefined;
    const result = validate(args);
    return result.valid ? undefined : `the arguments do not match the tool's input schema: ${result.errorMessage}`;
  }
}
