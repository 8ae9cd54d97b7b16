/**
 * Checking a tool's `structuredContent` against the `outputSchema` it declared (MCP
 * 2025-06-18 on), with the SDK's validator (Ajv). The spec says a server MUST return
 * conforming structured results and a client SHOULD check them; a result that breaks the
 * declared contract is reported to the model instead of being passed on as if it were good.
 *
 * Compiled validators are kept per schema object (a WeakMap), in one Ajv instance per
 * checker: the hub makes a new checker with every route table, so schemas of tools that
 * are gone are freed with the old table (Ajv keeps every schema it compiles).
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

export class OutputChecker {
  private ajv: AjvJsonSchemaValidator | undefined;
  private readonly cache = new WeakMap<object, JsonSchemaValidator<unknown> | null>();

  /**
   * A problem in words the model can act on, or undefined when the result fits (or when the
   * tool declares no outputSchema, the result is an error, or the schema cannot be compiled).
   */
  problem(outputSchema: unknown, result: { structuredContent?: unknown; isError?: boolean }): string | undefined {
    if (typeof outputSchema !== 'object' || outputSchema === null || Array.isArray(outputSchema) || result.isError === true) return undefined;
    if (result.structuredContent === undefined) return 'the tool declares an outputSchema but returned no structuredContent';
    let validate = this.cache.get(outputSchema);
    if (validate === undefined) {
      // The top-level `$id` is left out, as for input schemas (see arguments.ts): tools sharing one must not share a validator.
      const { $id: _ignored, ...withoutId } = outputSchema as Record<string, unknown>;
      try {
        this.ajv ??= new AjvJsonSchemaValidator();
        validate = this.ajv.getValidator(withoutId as never);
      } catch {
        validate = null;
      }
      this.cache.set(outputSchema, validate);
    }
    if (!validate) return undefined;
    const checked = validate(result.structuredContent);
    return checked.valid ? undefined : `its structuredContent does not match the tool's declared outputSchema: ${checked.errorMessage}`;
  }
}
