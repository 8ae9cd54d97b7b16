/**
 * VS Code's `${input:ID}` placeholders. VS Code prompts for them from the file's `inputs`
 * array (`{ "id", "type": "promptString", "description", "password" }`). Switchboard reads
 * the value from an environment variable named by a fixed rule, and the CLI asks for it on a
 * terminal when that variable is not set (see cli/config-loader.ts).
 */
import { z } from 'zod';

/**
 * The environment variable that holds `${input:ID}`: `SWITCHBOARD_INPUT_` and the id in
 * capitals, every character other than a letter or digit turned into `_`
 * (`api-key` -> `SWITCHBOARD_INPUT_API_KEY`, `github.token` -> `SWITCHBOARD_INPUT_GITHUB_TOKEN`).
 */
export function inputVariable(id: string): string {
  return `SWITCHBOARD_INPUT_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const InputDeclarationSchema = z.looseObject({
  id: z.string(),
  description: z.string().optional(),
  password: z.boolean().optional(),
});

/** One `${input:ID}` the config uses, with what its declaration says about it. */
export interface InputRequest {
  id: string;
  variable: string;
  description?: string;
  /** Declared `"password": true`: the answer is not echoed. */
  password: boolean;
}

/** The declaration of `id` in the file's `inputs` array, if any (malformed entries are skipped). */
export function describeInput(id: string, inputs: unknown): InputRequest {
  const declarations = Array.isArray(inputs) ? inputs : [];
  for (const item of declarations) {
    const parsed = InputDeclarationSchema.safeParse(item);
    if (parsed.success && parsed.data.id === id) {
      return { id, variable: inputVariable(id), description: parsed.data.description, password: parsed.data.password === true };
    }
  }
  return { id, variable: inputVariable(id), password: false };
}
